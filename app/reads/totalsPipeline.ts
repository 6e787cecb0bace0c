import { Document } from 'mongodb';
import { NAME_FIELDS } from '../api/constants';
import { HOURS_PER_DAY } from '../query/rollups';
import { HourRange, ReadPlan } from './readPlan';
import { isGrouped, PageQuery, PositionValue, sortKeyPaths } from './totalsQuery';

/** Rows strictly after `after` in the sort order: the lexicographic comparison as an $or of prefixes. */
function afterPosition(keys: ReturnType<typeof sortKeyPaths>, after: readonly PositionValue[]): Document {
  return {
    $or: keys.map((key, i) => {
      const branch: Document = {};
      for (let j = 0; j < i; j++) branch[keys[j].path] = after[j];
      branch[key.path] = { [key.descending ? '$lt' : '$gt']: after[i] };
      return branch;
    }),
  };
}

const hourMatch = ({ from, to }: HourRange) => (from === to ? from : { $gte: from, $lte: to });

/**
 * The documents a plan reads: the roll-up, the name filters, then the hours. A roll-up's documents of each span are one
 * range of the roll-ups' read index {rollup, hours, hour, src_app, dest_app, vpc_id}; key documents one range
 * of {hour, src_app, dest_app, vpc_id}. MongoDB plans from the fields, in any order; servers that test a document field by field
 * (mongo-java-server) reject most documents sooner on a roll-up or a name than on the hour every document
 * matches.
 */
function documentsMatch(query: PageQuery, plan: ReadPlan): Document {
  const names: Document = {};
  for (const field of NAME_FIELDS) {
    const values = query.filters[field];
    if (values) names[field] = { $in: values };
  }
  if (!plan.rollup) return { ...names, hour: hourMatch(plan.hours[0]) };
  const rollup = plan.rollup.name;
  const branches = [
    ...(plan.days ? [{ rollup, ...names, hours: HOURS_PER_DAY, hour: hourMatch(plan.days) }] : []),
    ...plan.hours.map((range) => ({ rollup, ...names, hours: 1, hour: hourMatch(range) })),
  ];
  return branches.length === 1 ? branches[0] : { $or: branches };
}

/**
 * The aggregation that answers a page of a read from the documents the plan names. The first $match holds
 * only equalities, $in lists and ranges on a read index's fields, so MongoDB reads ranges of the index
 * (docs/reads.md shows the plans). Totals are summed as Int64; a sum past 2^63 - 1 comes back as a double,
 * which the page refuses. Every source gives the same rows: each document holds the totals of every key it
 * covers, and the rows group documents by the `by` fields.
 */
export function totalsPipeline(query: PageQuery, plan: ReadPlan): Document[] {
  const grouped = isGrouped(query.by);
  const pipeline: Document[] = [{ $match: documentsMatch(query, plan) }];
  if (grouped) {
    pipeline.push({
      $group: {
        _id: Object.fromEntries(query.by.map((d) => [d, `$${d}`])),
        bytes_tx: { $sum: '$bytes_tx' },
        bytes_rx: { $sum: '$bytes_rx' },
      },
    });
  }
  if (query.sort === 'bytes') pipeline.push({ $addFields: { bytes: { $sum: ['$bytes_tx', '$bytes_rx'] } } });
  const keys = sortKeyPaths(query);
  if (query.after) pipeline.push({ $match: afterPosition(keys, query.after) });
  pipeline.push({ $sort: Object.fromEntries(keys.map((k) => [k.path, k.descending ? -1 : 1])) });
  pipeline.push({ $limit: query.limit });
  // Last, so the $match, $sort and $limit before it stay one query MongoDB can answer from the index.
  if (!grouped) pipeline.push({ $project: { _id: 0 } });
  return pipeline;
}
