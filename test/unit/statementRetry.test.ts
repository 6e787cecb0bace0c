import { Document, Double } from 'mongodb';
import { flowKeyId, IncrementStatement, incrementTotals } from '../../app/query/flows';
import { incrementRollup, TOTAL_ROLLUP } from '../../app/query/rollups';
import { retry } from '../../app/storage/statementRetry';

const key = { hour: 5, src_app: 's', dest_app: 'd', vpc_id: 'v' };
const statements: [string, IncrementStatement<Document>][] = [
  ['a key document', incrementTotals(flowKeyId(key), key, 2n ** 62n, 7)],
  ['a roll-up', incrementRollup(TOTAL_ROLLUP, 1, 5, [], 2n ** 62n, 7)],
];
const overflow = { index: 0, code: 2, errmsg: 'Failed to apply $inc operations to current value ((NumberLong)9223372036854775000)' };
const kinds = (s: IncrementStatement<Document> | undefined) =>
  s && [s.u.$inc.bytes_tx instanceof Double ? 'double' : 'int64', s.u.$inc.bytes_rx instanceof Double ? 'double' : 'int64'];

describe.each(statements)('a refused statement of %s', (_name, statement) => {
  it('is sent again as it was when refused as a duplicate key: the retry finds the document the race created', () => {
    expect(retry(statement, statement, { index: 0, code: 11000, errmsg: 'E11000 duplicate key error' })).toBe(statement);
  });

  it('past 2^63 - 1, is sent with bytes_tx as a double, then bytes_rx, then both, never with a total changed', () => {
    const tries = [];
    for (let sent: IncrementStatement<Document> | undefined = statement; sent; sent = retry(statement, sent, overflow)) tries.push(kinds(sent));
    expect(tries).toEqual([
      ['int64', 'int64'],
      ['double', 'int64'],
      ['int64', 'double'],
      ['double', 'double'],
    ]);
    const both = retry(statement, retry(statement, retry(statement, statement, overflow)!, overflow)!, overflow)!;
    expect([both.u.$inc.bytes_tx.valueOf(), both.u.$inc.bytes_rx.valueOf()]).toEqual([2 ** 62, 7]);
    expect(both.q).toEqual(statement.q);
    expect(both.u.$setOnInsert).toEqual(statement.u.$setOnInsert);
  });

  it('is not sent again for any other refusal', () => {
    expect(retry(statement, statement, { index: 0, code: 2, errmsg: 'some other bad value' })).toBeUndefined();
    expect(retry(statement, statement, { index: 0, code: 14, errmsg: 'Cannot apply $inc to a value of non-numeric type' })).toBeUndefined();
  });
});
