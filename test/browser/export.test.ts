import { readFileSync } from 'node:fs';
import { FlowRecord } from '../../app/data/flow';
import { apiRows, BIG_SUM, currentHour, post, sampleFlows, tableRows, useConsole } from './consolePage';

const hour = currentHour() - 1;
/** An hour of names a CSV must quote, or a spreadsheet would take for a formula. */
const awkward = hour - 5;

const flow = (src_app: string, dest_app: string, bytes_tx: number): FlowRecord => ({
  src_app,
  dest_app,
  vpc_id: 'vpc, "quoted"',
  bytes_tx,
  bytes_rx: 1,
  hour: awkward,
});

describe('the console’s exports: the table as CSV, and the API read behind each part', () => {
  const { service, page, open } = useConsole();
  const download = async () => {
    const [file] = await Promise.all([page().waitForEvent('download'), page().click('#csv')]);
    return { name: file.suggestedFilename(), text: readFileSync((await file.path()) ?? '', 'utf8') };
  };

  beforeAll(async () => {
    await post(service().url, sampleFlows(hour));
    await post(service().url, [flow('=SUM(A1)', 'say "hi"', 2), flow('-minus', 'plain', 1)]);
  });

  it('downloads the table as CSV, every digit of every total, as the API has them', async () => {
    await open(`?hour=${hour}&by=src_app,dest_app`);
    const { name, text } = await download();
    expect(name).toBe(`flows-${hour}-${hour}.csv`);
    const rows = await apiRows(service().url, `hour=${hour}&by=src_app,dest_app&sort=bytes&limit=25`);
    const lines = [
      'src_app,dest_app,bytes_tx,bytes_rx,bytes',
      ...rows.map((r) => [r.src_app, r.dest_app, r.bytes_tx, r.bytes_rx, BigInt(r.bytes_tx) + BigInt(r.bytes_rx)].join(',')),
    ];
    expect(text).toBe(`${lines.join('\r\n')}\r\n`);
    expect(text).toContain(`checkout,payments,${BIG_SUM},12,`);
  });

  it('quotes names with commas and quotes, and keeps a spreadsheet from running one as a formula', async () => {
    await open(`?hour=${awkward}&by=src_app,dest_app,vpc_id`);
    const { text } = await download();
    expect(text).toBe(
      [
        'src_app,dest_app,vpc_id,bytes_tx,bytes_rx,bytes',
        `"'=SUM(A1)","say ""hi""","vpc, ""quoted""",2,1,3`,
        `"'-minus",plain,"vpc, ""quoted""",1,1,2`,
        '',
      ].join('\r\n'),
    );
  });

  it('links each part to the API read behind it, whose answer is what the part shows', async () => {
    await open(`?hour=${hour}&by=src_app`);
    const link = page().locator('#table-reads a', { hasText: 'rows' });
    const href = (await link.getAttribute('href')) ?? '';
    expect(href).toBe(`/flows?from=${hour}&to=${hour}&by=src_app&sort=bytes&limit=25`);
    const answer = await apiRows(service().url, href.slice('/flows?'.length));
    expect((await tableRows(page())).map((row) => row.slice(0, 2))).toEqual(answer.map((row) => [row.src_app, String(row.bytes_tx)]));
    expect(await page().locator('#series-reads a').first().getAttribute('href')).toBe(`/flows?from=${hour}&to=${hour}&by=hour&limit=1`);
    expect(await page().locator('#sankey-reads a').allTextContents()).toEqual(['top sources', 'top destinations', 'pairs among them']);

    // One click away: the browser opens the answer itself.
    await link.click();
    await page().waitForURL(`${service().url}${href}`);
    expect(JSON.parse((await page().locator('body').textContent()) ?? '')).toHaveLength(answer.length);
  });
});
