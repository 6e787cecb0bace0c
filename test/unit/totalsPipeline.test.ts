import { Document } from 'mongodb';
import { flowReadFields } from '../../app/query/flows';
import { DIMENSIONS, Dimension, SORT_TOTALS } from '../../app/api/constants';
import { rollupReadIndex } from '../../app/query/rollups';
import { keyDocumentsPlan, planRead } from '../../app/reads/readPlan';
import { totalsPipeline as pipelineOf } from '../../app/reads/totalsPipeline';
import { PageQuery } from '../../app/reads/totalsQuery';

const totalsPipeline = (query: PageQuery) => pipelineOf(query, keyDocumentsPlan(query));

const allBy: Dimension[][] = [];
for (let mask = 1; mask < 16; mask++) allBy.push(DIMENSIONS.filter((_, i) => mask & (1 << i)));

const queries: PageQuery[] = allBy.flatMap((by) =>
  [undefined, ...SORT_TOTALS].flatMap((sort) => [
    { from: 10, to: 10, filters: {}, by, sort, limit: 11 },
    { from: 10, to: 33, filters: { src_app: ['a', 'b'], vpc_id: ['v'] }, by, sort, limit: 11 },
  ]),
);

/** The operators an index bound can be built from. */
const BOUND_OPERATORS = new Set(['$in', '$gte', '$lte']);

describe('every read pipeline', () => {
  it('starts with index bounds only, for every by, sort and filter', () => {
    const indexFields = Object.keys(flowReadFields);
    for (const query of queries) {
      const match = totalsPipeline(query)[0].$match as Document;
      // Only the read index's fields, each an equality, a range or an $in of values: MongoDB makes bounds of it.
      for (const [field, condition] of Object.entries(match)) {
        expect(indexFields).toContain(field);
        const operators = typeof condition === 'object' ? Object.keys(condition as object) : [];
        for (const operator of operators) expect(BOUND_OPERATORS).toContain(operator);
      }
      expect(match.hour).toEqual(query.from === query.to ? query.from : { $gte: query.from, $lte: query.to });
    }
  });

  it("starts with index bounds only on the roll-up the planner picks, one range of its index per span", () => {
    for (const query of queries) {
      const from = query.from === query.to ? query.from : 5;
      const to = query.from === query.to ? query.to : 5 + 3 * 24;
      const ranged = { ...query, from, to };
      const plan = planRead(ranged, { coveredFrom: 0, oldestKept: 0 });
      if (!plan.rollup) continue;
      const indexFields = Object.keys(rollupReadIndex.key);
      const match = pipelineOf(ranged, plan)[0].$match as Document;
      const branches = (match.$or as Document[] | undefined) ?? [match];
      expect(branches).toHaveLength((plan.days ? 1 : 0) + plan.hours.length);
      for (const branch of branches) expect(branch.rollup).toBe(plan.rollup.name);
      for (const branch of branches) {
        for (const [field, condition] of Object.entries(branch)) {
          expect(indexFields).toContain(field);
          const operators = typeof condition === 'object' ? Object.keys(condition as object) : [];
          for (const operator of operators) expect(BOUND_OPERATORS).toContain(operator);
        }
      }
    }
  });

  it('keeps $match, $sort and $limit together for whole-key rows, so the index answers them', () => {
    const pipeline = totalsPipeline({ from: 5, to: 5, filters: {}, by: [...DIMENSIONS], limit: 11, after: ['a', 'b', 'c', 5] });
    expect(pipeline.map((stage) => Object.keys(stage)[0])).toEqual(['$match', '$match', '$sort', '$limit', '$project']);
  });

  it('sums each total once, as Int64 $sum, for grouped rows', () => {
    const pipeline = totalsPipeline({ from: 5, to: 9, filters: {}, by: ['src_app'], sort: 'bytes', limit: 11 });
    expect(pipeline[1]).toEqual({
      $group: { _id: { src_app: '$src_app' }, bytes_tx: { $sum: '$bytes_tx' }, bytes_rx: { $sum: '$bytes_rx' } },
    });
    expect(pipeline[2]).toEqual({ $addFields: { bytes: { $sum: ['$bytes_tx', '$bytes_rx'] } } });
  });
});
