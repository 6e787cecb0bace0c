// Screenshots of the console for the README: the built service on its own MongoDB (MONGODB_URI, or an
// embedded one), a day of made-up traffic between the apps of a small shop, Debian's Chromium.
//
//   npm run build && node scripts/console-screenshot.mjs [DIR]     writes DIR/console.png,
//                                           DIR/console-narrow-dark.png and DIR/console-drill-down.png (DIR: docs)
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { spawnServer } from './spawn-server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(root, 'docs');
const { startEmbeddedMongo } = createRequire(import.meta.url)('./embedded-mongo.js');

/** Who calls whom, with a typical hour's bytes sent and received, in one VPC or the other. */
const calls = [
  ['web-frontend', 'api-gateway', 'vpc-shop', 9e9, 48e9],
  ['api-gateway', 'catalog', 'vpc-shop', 3e9, 21e9],
  ['api-gateway', 'search', 'vpc-shop', 2.5e9, 12e9],
  ['api-gateway', 'checkout', 'vpc-shop', 1.8e9, 4e9],
  ['api-gateway', 'cart', 'vpc-shop', 1.1e9, 2.6e9],
  ['api-gateway', 'auth', 'vpc-shop', 0.9e9, 1.2e9],
  ['catalog', 'image-cache', 'vpc-shop', 0.6e9, 26e9],
  ['search', 'search-index', 'vpc-data', 1.4e9, 9e9],
  ['checkout', 'payments', 'vpc-shop', 0.7e9, 0.9e9],
  ['checkout', 'inventory', 'vpc-shop', 0.4e9, 0.6e9],
  ['checkout', 'shipping', 'vpc-shop', 0.2e9, 0.3e9],
  ['payments', 'fraud-check', 'vpc-data', 0.5e9, 0.2e9],
  ['recommendations', 'catalog', 'vpc-shop', 0.8e9, 5e9],
  ['api-gateway', 'recommendations', 'vpc-shop', 0.6e9, 3e9],
  ['orders', 'warehouse-db', 'vpc-data', 2e9, 1.5e9],
  ['analytics', 'event-store', 'vpc-data', 7e9, 0.4e9],
  ['auth', 'user-db', 'vpc-data', 0.3e9, 0.8e9],
  ['cart', 'session-cache', 'vpc-shop', 0.3e9, 0.5e9],
];

/**
 * Two days of flows up to now, the current hour as far as it has gone: busier in the afternoon (UTC), a
 * little noise, ten agents per call and hour, and a search that grows by half from one day to the next.
 */
function days(now) {
  let seed = 20_240_601;
  const noise = () => 0.8 + 0.4 * ((seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647);
  const hour = Math.floor(now / 3_600_000);
  const flows = [];
  for (let h = hour - 47; h <= hour; h += 1) {
    const load = (0.35 + 0.65 * Math.sin((Math.PI * ((h % 24) + 18)) / 24) ** 2) * (h < hour ? 1 : (now / 3_600_000) % 1);
    for (const [src_app, dest_app, vpc_id, tx, rx] of calls) {
      const growth = /search/.test(src_app + dest_app) && h > hour - 24 ? 1.5 : 1;
      for (let agent = 0; agent < 10; agent += 1) {
        const bytes = (total) => Math.round((total * load * growth * noise()) / 10);
        flows.push({ src_app, dest_app, vpc_id, bytes_tx: bytes(tx), bytes_rx: bytes(rx), hour: h });
      }
    }
  }
  return flows;
}

const mongo = process.env.MONGODB_URI ? undefined : await startEmbeddedMongo();
const { child, url } = await spawnServer([join(root, 'dist/index.js')], {
  PATH: process.env.PATH,
  MONGODB_URI: process.env.MONGODB_URI ?? mongo.uri,
  MONGODB_DATABASE: `fas_screenshot_${randomUUID().slice(0, 8)}`,
  LOG_LEVEL: 'warn',
}, '/readyz');
const browser = await chromium.launch({
  executablePath: execFileSync(join(root, 'scripts/chromium.sh'), { encoding: 'utf8' }).trim(),
  args: JSON.parse(readFileSync(join(root, 'scripts/chromium-flags.json'), 'utf8')),
});
try {
  const flows = days(Date.now());
  // In batches an agent might send: one flush of them all may take FerretDB longer than FLUSH_TIMEOUT_MS.
  for (let i = 0; i < flows.length; i += 1000) {
    const res = await fetch(`${url}/flows`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(flows.slice(i, i + 1000)),
    });
    if (res.status !== 200) throw new Error(`POST /flows answered ${res.status}: ${await res.text()}`);
  }
  const shown = (page) => page.locator('#results:not([hidden])[aria-busy="false"]').waitFor({ timeout: 30_000 });
  const shots = [
    ['console.png', { viewport: { width: 1280, height: 900 }, colorScheme: 'light' }, async () => {}],
    ['console-narrow-dark.png', { viewport: { width: 400, height: 900 }, colorScheme: 'dark' }, async () => {}],
    // The default view, split by destination and compared with the day before, then a click on a source.
    ['console-drill-down.png', { viewport: { width: 1280, height: 900 }, colorScheme: 'light' }, async (page) => {
      await page.selectOption('#split', 'dest_app');
      await shown(page);
      await page.check('#compare');
      await shown(page);
      await page.locator('#talkers tbody td:first-child a', { hasText: /^api-gateway$/ }).first().click();
      await page.locator('#back:not([hidden])').waitFor({ timeout: 30_000 });
      await shown(page);
    }],
  ];
  for (const [file, options, steps] of shots) {
    const page = await browser.newPage(options);
    await page.goto(`${url}/`);
    await shown(page);
    await steps(page);
    await page.screenshot({ path: join(out, file), fullPage: true });
    await page.close();
    console.error(`wrote ${join(out, file)}`);
  }
} finally {
  await browser.close();
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  await mongo?.stop();
}
