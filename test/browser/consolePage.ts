import { Page, Route } from 'playwright-core';
import { FlowRecord as Flow } from '../../app/data/flow';
import { useChildService } from '../support/childService';
import { useBrowser, useWatchedPage } from './browser';

/** A row of GET /flows with its totals as digit strings, exact past 2^53. */
export type ExactRow = Record<string, string | number>;

export const currentHour = (): number => Math.floor(Date.now() / 3_600_000);

export async function post(url: string, flows: Flow[]): Promise<void> {
  const res = await fetch(`${url}/flows`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(flows),
  });
  if (res.status !== 200) throw new Error(`POST /flows answered ${res.status}: ${await res.text()}`);
}

/** GET /flows with every page followed; totals kept as the digits the service printed. */
export async function apiRows(url: string, query: string): Promise<ExactRow[]> {
  const rows: ExactRow[] = [];
  for (let next: string | undefined = `${url}/flows?${query}`; next; ) {
    const res: Response = await fetch(next);
    if (res.status !== 200) throw new Error(`GET ${next} answered ${res.status}: ${await res.text()}`);
    const text = (await res.text()).replace(/"(bytes_tx|bytes_rx)":(\d+)/g, '"$1":"$2"');
    rows.push(...(JSON.parse(text) as ExactRow[]));
    const link = /<([^>]*)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    next = link && new URL(link, url).href;
  }
  return rows;
}

/** Resolves once the page shows a view's flows (not loading, not an error). */
export async function shown(page: Page): Promise<void> {
  await page.locator('#results:not([hidden])[aria-busy="false"]').waitFor();
}

/** The table as the page shows it: names as text, byte counts as the digits in each cell's data value. */
export async function tableRows(page: Page, selector = '#talkers tbody tr'): Promise<string[][]> {
  return page.locator(selector).evaluateAll((rows) =>
    rows.map((row) =>
      [...row.children].map((cell) => cell.querySelector('data')?.getAttribute('value') ?? cell.textContent ?? ''),
    ),
  );
}

/**
 * The share of a chart's area with any paint on it, over all its canvases (ECharts draws hover effects and
 * tooltips on a layer of their own): 0 for a blank chart.
 */
export async function paintedShare(page: Page, chart: string): Promise<number> {
  return page.locator(`${chart} canvas`).evaluateAll((canvases) => {
    let painted = 0;
    for (const canvas of canvases) {
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted += 1;
    }
    return painted / (canvases[0].width * canvases[0].height);
  });
}

/**
 * Holds the page's reads back until release() lets them through to the service, untouched (later reads then
 * pass at once). A newer hold takes precedence over an older one.
 */
export async function holdReads(page: Page): Promise<() => void> {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/flows\?/, async (route: Route) => {
    await held;
    await route.continue();
  });
  return release;
}

export function query(page: Page): URLSearchParams {
  return new URL(page.url()).searchParams;
}

/** Past 2^53 once summed: two records of the largest count a record may carry. */
export const BIG = 2 ** 53 - 1;
export const BIG_SUM = (2n * BigInt(BIG)).toString();

/**
 * Flows of two hours: `hour` with a pair whose sent total passes 2^53 and more pairs than the picture's top
 * five, and the hour before it.
 */
export function sampleFlows(hour: number): Flow[] {
  const flow = (src_app: string, dest_app: string, vpc_id: string, bytes_tx: number, bytes_rx: number, h = hour) => ({
    src_app, dest_app, vpc_id, bytes_tx, bytes_rx, hour: h,
  });
  return [
    flow('checkout', 'payments', 'vpc-a', BIG, 5),
    flow('checkout', 'payments', 'vpc-a', BIG, 7),
    flow('checkout', 'cart', 'vpc-a', 1_500, 32_000),
    flow('cart', 'checkout', 'vpc-b', 420_000, 9_000),
    flow('search', 'catalog', 'vpc-a', 2_000_000, 75_000_000),
    flow('frontend', 'search', 'vpc-a', 1_200_000, 300_000_000),
    flow('frontend', 'checkout', 'vpc-b', 800_000, 45_000_000),
    flow('auth', 'users', 'vpc-b', 60_000, 900_000),
    flow('frontend', 'auth', 'vpc-a', 90_000, 40_000),
    flow('orders', 'shipping', 'vpc-b', 3_000_000, 1_000),
    flow('ratings', 'catalog', 'vpc-a', 700, 800),
    flow('checkout', 'payments', 'vpc-a', 10_000, 20_000, hour - 1),
    flow('search', 'catalog', 'vpc-a', 5_000_000, 90_000_000, hour - 1),
  ];
}

const rateUnits = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s', 'Pbit/s', 'Ebit/s', 'Zbit/s'];

/** A rate as the page prints it, "84.7 Mbit/s", in bits per second. */
export function parseRate(text: string): number {
  const match = /^([\d.]+) ([kMGTPEZ]?bit\/s)/.exec(text.trim());
  if (!match) throw new Error(`not a rate: ${text}`);
  return Number(match[1]) * 1000 ** rateUnits.indexOf(match[2]);
}

/** Whether a printed rate is bytes × 8 / seconds, to the three digits it shows. */
export function isRate(text: string, bytes: bigint, seconds: number): boolean {
  const expected = Number(bytes * 8n) / seconds;
  return Math.abs(parseRate(text) - expected) <= expected * 0.005 + 1e-9;
}

/** Opens a details element of the page and resolves once its table is filled. */
export async function openDetails(page: Page, id: string): Promise<void> {
  await page.locator(`#${id} > summary`).click();
  await page.locator(`#${id} tbody tr`).first().waitFor();
}

/** "2026-12-01 20:00": an hour's start as the page writes it, UTC. */
export const hourText = (hour: number): string => new Date(hour * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

/**
 * For the tests of the enclosing block: the built service, a browser, a fresh watched page for each test,
 * and open(search), which shows the console at `/${search}` and resolves once it shows the flows.
 */
export function useConsole() {
  const service = useChildService();
  const browser = useBrowser();
  const watched = useWatchedPage(browser, () => service().url);
  const page = () => watched().page;
  const open = async (search: string) => {
    await page().goto(`${service().url}/${search}`);
    await shown(page());
  };
  return { service, watched, page, open };
}
