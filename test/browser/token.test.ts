import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useChildService } from '../support/childService';
import { useBrowser, useWatchedPage, watchedPage } from './browser';
import { currentHour, sampleFlows, shown, tableRows } from './consolePage';

const hour = currentHour() - 1;
const TOKENS = { writer: 'console-writer-4b1d', reader: 'console-reader-7e2a' };
const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

const dir = mkdtempSync(join(tmpdir(), 'fas-console-tokens-'));
const tokensFile = join(dir, 'tokens');
writeFileSync(tokensFile, `writer:write:${sha256(TOKENS.writer)}\nreader:read:${sha256(TOKENS.reader)}\n`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the console when reads need a token', () => {
  const service = useChildService({ AUTH_TOKENS_FILE: tokensFile });
  const browser = useBrowser();
  const watched = useWatchedPage(browser, () => service().url);

  beforeAll(async () => {
    const res = await fetch(`${service().url}/flows`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKENS.writer}` },
      body: JSON.stringify(sampleFlows(hour)),
    });
    expect(res.status).toBe(200);
  });

  const alert = () => watched().page.locator('#alert');
  const useToken = async (token: string) => {
    await watched().page.getByLabel('Token', { exact: true }).fill(token);
    await watched().page.getByRole('button', { name: 'Read with this token' }).click();
  };

  it('asks for one, says a 401 and a 403 as such, and reads with the token it is given for the tab', async () => {
    const { page, allow } = watched();
    allow(/^HTTP 40[13] /);
    await page.goto(`${service().url}/?hour=${hour}`);
    await alert().getByText('Reading flows needs a token (HTTP 401 unauthorized).').waitFor({ timeout: 15_000 });
    expect(await page.locator('#results').isHidden()).toBe(true);
    expect(await page.evaluate('document.activeElement.id')).toBe('token');

    await useToken('not-a-token');
    await alert().getByText('The service refused this token (HTTP 401 unauthorized): enter another.').waitFor();
    await useToken(TOKENS.writer);
    await alert().getByText('This token may not read flows (HTTP 403 forbidden): enter one with the read scope.').waitFor();

    await useToken(TOKENS.reader);
    await shown(page);
    expect((await tableRows(page)).length).toBeGreaterThan(0);
    expect(await page.evaluate('Object.keys(sessionStorage)')).toEqual(['fas-token']);
    expect(await page.evaluate('Object.keys(localStorage)')).toEqual([]);

    // The tab keeps it across a reload; another tab has to be given it.
    await page.reload();
    await shown(page);
    const other = await watchedPage(browser(), service().url);
    other.allow(/^HTTP 401 /);
    try {
      await other.page.goto(`${service().url}/?hour=${hour}`);
      await other.page.locator('#alert').getByText('Reading flows needs a token').waitFor({ timeout: 15_000 });
      expect(await other.problems()).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
