import { FlowRecord } from '../../app/data/flow';
import { waitFor } from '../support/service';
import { apiRows, currentHour, hourText, isRate, openDetails, post, query, shown, tableRows, useConsole } from './consolePage';

const HOUR_MS = 3_600_000;
/** The hour the page takes for the current one; the tests set its clock inside it. */
const now = currentHour();

/** Resolves on the page's next frame: whatever the timers just fired has run. */
const nextFrame = 'new Promise((frame) => requestAnimationFrame(frame))';

const flow = (src_app: string, hour: number, bytes_tx: number, bytes_rx: number): FlowRecord => ({
  src_app,
  dest_app: 'db',
  vpc_id: 'vpc-t',
  bytes_tx,
  bytes_rx,
  hour,
});

describe('the console’s hours that follow the clock, and its rates', () => {
  const { service, page, open } = useConsole();
  const flowReads = () => {
    const urls: string[] = [];
    page().on('request', (req) => {
      if (new URL(req.url()).pathname === '/flows') urls.push(req.url());
    });
    return urls;
  };

  beforeAll(() =>
    post(service().url, [
      flow('api', now - 3, 1_000_000, 2_000_000),
      flow('api', now - 1, 4_500_000_000, 900_000_000),
      flow('web', now - 1, 7_000_000, 3_000_000),
      flow('api', now, 300_000_000, 60_000_000),
    ]),
  );

  it('keeps the last 6 hours, 24 hours or 7 days relative in the URL, and Earlier makes them fixed', async () => {
    await page().clock.setFixedTime(now * HOUR_MS + 1_800_000);
    await open(`?hour=${now - 1}`);
    for (const [last, text, count] of [['6', '6h', 6], ['24', '24h', 24], ['168', '7d', 168]] as const) {
      await page().click(`button[data-last="${last}"]`);
      await shown(page());
      expect(query(page()).toString()).toBe(`last=${text}`);
      expect(await page().getAttribute(`button[data-last="${last}"]`, 'aria-pressed')).toBe('true');
      expect(await page().inputValue('#from-hour')).toBe(String(now - count + 1));
      expect(await page().inputValue('#to-hour')).toBe(String(now));
    }
    await page().reload();
    await shown(page());
    expect(await page().locator('#hours-shown').textContent()).toMatch(/^The last 7 days: /);
    await page().click('#earlier');
    // A week before these tests' flows.
    await page().locator('#status', { hasText: 'No flows in' }).waitFor();
    expect(query(page()).toString()).toBe(`from=${now - 335}&to=${now - 168}`);
    expect(await page().locator('button[aria-pressed="true"]').count()).toBe(0);
  });

  it('refreshes every minute when asked, following the clock into the next hour', async () => {
    const late = now + 1;
    await page().clock.install({ time: late * HOUR_MS - 90_000 });
    await open('?last=6h');
    await page().selectOption('#refresh', '60');
    await shown(page());
    expect(query(page()).toString()).toBe('last=6h&refresh=1m');
    expect(await page().inputValue('#to-hour')).toBe(String(now));

    await post(service().url, [flow('late', late, 5, 5)]);
    const reads = flowReads();
    await page().clock.fastForward('02:00');
    // A refresh leaves the view as it is until the new one is read.
    await waitFor(async () => (await tableRows(page())).some((row) => row[0] === 'late'), 15_000);
    expect(await page().inputValue('#to-hour')).toBe(String(late));
    expect(reads.length).toBeGreaterThan(0);
    expect(query(page()).toString()).toBe('last=6h&refresh=1m');
  });

  it('asks nothing while the page is hidden, and refreshes as soon as it is seen again', async () => {
    await page().clock.install({ time: now * HOUR_MS + 60_000 });
    await open('?last=6h&refresh=5m');
    const reads = flowReads();
    await page().evaluate("Object.defineProperty(document, 'hidden', { value: true, configurable: true })");
    await page().clock.fastForward('06:00');
    await page().evaluate(nextFrame);
    expect(reads).toEqual([]);
    await page().evaluate(`
      Object.defineProperty(document, 'hidden', { value: false, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    `);
    await waitFor(async () => reads.length > 0, 15_000);
    await shown(page());
  });

  it('does not refresh when refresh is off', async () => {
    await page().clock.install({ time: now * HOUR_MS + 60_000 });
    await open('?last=6h');
    const reads = flowReads();
    await page().clock.fastForward('10:00');
    await page().evaluate(nextFrame);
    expect(reads).toEqual([]);
  });

  it('divides a past hour’s bytes by its 3600 seconds, the current one’s by the seconds gone, the future’s by none', async () => {
    // A quarter of the current hour gone.
    await page().clock.setFixedTime(now * HOUR_MS + 900_000);
    await open(`?from=${now - 3}&to=${now + 1}&by=src_app`);
    const seconds = 3 * 3600 + 900;
    const rows = await apiRows(service().url, `from=${now - 3}&to=${now + 1}&by=src_app&sort=bytes`);
    const table = await tableRows(page());
    expect(table.map((row) => row[0])).toEqual(rows.map((row) => row.src_app));
    rows.forEach((row, i) => {
      const bytes = BigInt(row.bytes_tx) + BigInt(row.bytes_rx);
      expect([table[i][4], isRate(table[i][4], bytes, seconds)]).toEqual([table[i][4], true]);
    });

    const perHour = await apiRows(service().url, `from=${now - 3}&to=${now + 1}&by=hour`);
    const total = perHour.reduce((sum, row) => sum + BigInt(row.bytes_tx) + BigInt(row.bytes_rx), 0n);
    const shownTotal = (await page().locator('#totals dd.rate').first().textContent()) ?? '';
    expect([shownTotal, isRate(shownTotal, total, seconds)]).toEqual([shownTotal, true]);

    await openDetails(page(), 'series-data');
    const hours = await tableRows(page(), '#series-data tbody tr');
    expect(hours.map((row) => row[0])).toEqual([now - 3, now - 2, now - 1, now, now + 1].map((h) => `${hourText(h)} UTC`));
    for (const [i, h] of [now - 3, now - 2, now - 1, now, now + 1].entries()) {
      const row = perHour.find((r) => r.hour === h);
      const bytes = row ? BigInt(row.bytes_tx) + BigInt(row.bytes_rx) : 0n;
      const rate = hours[i][3];
      if (h > now) expect(rate).toBe('–');
      else expect([h, rate, isRate(rate, bytes, h === now ? 900 : 3600)]).toEqual([h, rate, true]);
    }
  });

  it('marks the hour still going as partial, and only that one', async () => {
    await page().clock.setFixedTime(now * HOUR_MS + 23 * 60_000 + 30_000);
    await open('?last=6h');
    const partial = `The hour from ${hourText(now).slice(11)} UTC is still going (23 minutes so far)`;
    expect(await page().locator('#notes').textContent()).toContain(partial);
    expect(await page().getAttribute('#series', 'aria-label')).toContain(`The hour from ${hourText(now)} UTC is still going`);

    await open(`?hour=${now - 1}`);
    expect(await page().locator('#notes').textContent()).not.toContain('still going');
    expect(await page().getAttribute('#series', 'aria-label')).not.toContain('still going');
  });
});
