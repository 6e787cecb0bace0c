import fc from 'fast-check';
import { Dimension, DIMENSIONS, NAME_FIELDS, NameField } from '../../app/api/constants';
import { HOURS_PER_DAY, ROLLUPS } from '../../app/query/rollups';
import { PlanContext, planRead, ReadPlan } from '../../app/reads/readPlan';

const DAY = HOURS_PER_DAY;
const covered: PlanContext = { coveredFrom: 0, oldestKept: 0 };
const read = (from: number, to: number, by: Dimension[], filters: Partial<Record<NameField, string[]>> = {}) => ({
  from,
  to,
  by,
  filters,
});
const rollupOf = (plan: ReadPlan) => plan.rollup?.name ?? 'key documents';

/** Every hour a plan reads, once each: its days' hours, then its single hours. */
function hoursRead(plan: ReadPlan): number[] {
  const hours: number[] = [];
  if (plan.days) for (let day = plan.days.from; day <= plan.days.to; day += DAY) for (let h = 0; h < DAY; h++) hours.push(day + h);
  for (const { from, to } of plan.hours) for (let h = from; h <= to; h++) hours.push(h);
  return hours.sort((a, b) => a - b);
}

describe('planRead', () => {
  it('picks the coarsest roll-up keeping every name the read groups or filters by', () => {
    expect(rollupOf(planRead(read(48, 50, ['hour']), covered))).toBe('total');
    expect(rollupOf(planRead(read(48, 50, ['src_app']), covered))).toBe('by_src_app');
    expect(rollupOf(planRead(read(48, 50, ['hour'], { src_app: ['a'] }), covered))).toBe('by_src_app');
    expect(rollupOf(planRead(read(48, 50, ['dest_app', 'hour']), covered))).toBe('by_dest_app');
    expect(rollupOf(planRead(read(48, 50, ['vpc_id'], { vpc_id: ['v'] }), covered))).toBe('by_vpc_id');
    expect(rollupOf(planRead(read(48, 50, ['src_app'], { dest_app: ['d'] }), covered))).toBe('key documents');
    expect(rollupOf(planRead(read(48, 50, [...DIMENSIONS]), covered))).toBe('key documents');
  });

  it('reads whole days from day documents and the hours around them from hour documents', () => {
    expect(planRead(read(10, 4 * DAY + 5, ['src_app']), covered)).toMatchObject({
      days: { from: DAY, to: 3 * DAY },
      hours: [
        { from: 10, to: DAY - 1 },
        { from: 4 * DAY, to: 4 * DAY + 5 },
      ],
    });
    expect(planRead(read(DAY, 2 * DAY - 1, ['src_app']), covered)).toMatchObject({ days: { from: DAY, to: DAY }, hours: [] });
    // Inside one day, grouped by hour, or a roll-up without days: hours only.
    expect(planRead(read(DAY + 1, 2 * DAY + 22, ['src_app']), covered).days).toBeUndefined();
    expect(planRead(read(0, 3 * DAY, ['src_app', 'hour']), covered).days).toBeUndefined();
    expect(planRead(read(0, 3 * DAY, ['dest_app']), covered).days).toBeUndefined();
  });

  it('reads hours the roll-ups do not cover, and everything else of that read, from the key documents', () => {
    expect(planRead(read(100, 200, ['src_app']), { coveredFrom: 101, oldestKept: 0 })).toEqual({ hours: [{ from: 100, to: 200 }] });
    expect(planRead(read(100, 200, ['src_app']), { oldestKept: 0 })).toEqual({ hours: [{ from: 100, to: 200 }] });
    expect(rollupOf(planRead(read(101, 200, ['src_app']), { coveredFrom: 101, oldestKept: 0 }))).toBe('by_src_app');
  });

  it('reads a day whole only when retention keeps all of it with an hour to spare', () => {
    expect(planRead(read(0, 3 * DAY - 1, ['src_app']), { coveredFrom: 0, oldestKept: DAY - 1 }).days).toEqual({ from: DAY, to: 2 * DAY });
    expect(planRead(read(0, 3 * DAY - 1, ['src_app']), { coveredFrom: 0, oldestKept: DAY }).days).toEqual({ from: 2 * DAY, to: 2 * DAY });
  });

  it('reads every hour of the range once, whatever the range, names and coverage', () => {
    const names = fc.subarray([...NAME_FIELDS]);
    fc.assert(
      fc.property(
        fc.nat(10 * DAY),
        fc.nat(6 * DAY),
        names,
        names,
        fc.boolean(),
        fc.option(fc.nat(12 * DAY), { nil: undefined }),
        fc.nat(12 * DAY),
        (from, length, by, filtered, byHour, coveredFrom, oldestKept) => {
          const query = read(from, from + length, [...by, ...(byHour ? ['hour' as const] : [])], Object.fromEntries(filtered.map((f) => [f, ['x']])));
          if (query.by.length === 0) query.by.push('hour');
          const plan = planRead(query, { coveredFrom, oldestKept });
          expect(hoursRead(plan)).toEqual(Array.from({ length: length + 1 }, (_, i) => from + i));
          if (plan.rollup) {
            expect(coveredFrom).toBeLessThanOrEqual(from);
            for (const name of [...query.by.filter((d) => d !== 'hour'), ...filtered]) expect(plan.rollup.fields).toContain(name);
            if (plan.days) expect(plan.days.from).toBeGreaterThan(oldestKept);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('knows every roll-up by a name of its own', () => {
    expect(new Set(ROLLUPS.map((r) => r.name)).size).toBe(ROLLUPS.length);
  });
});
