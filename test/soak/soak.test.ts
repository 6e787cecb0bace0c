import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { mongoUri, waitFor } from '../support/service';

let soak: ChildProcess | undefined;

const startSoak = (seconds: number) => {
  soak = spawn(process.execPath, [join(__dirname, '../../scripts/soak.mjs'), '--seconds', String(seconds), '--rate', '12'], {
    env: { ...process.env, MONGODB_URI: mongoUri() },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return soak;
};
// After a timeout too: a soak left running would keep jest from exiting.
afterEach(() => {
  if (soak?.exitCode === null) soak.kill('SIGTERM');
});

/** The CI variant of the soak (docs/reliability.md): 60 s at a modest rate, no errors, no growth, exact totals. */
it('soaks for 60 s without errors, growth or lost totals', async () => {
  const run = startSoak(60);
  let output = '';
  run.stdout!.on('data', (chunk) => (output += chunk));
  const [code] = await once(run, 'exit');
  expect(output).toContain('soak: ok');
  expect(code).toBe(0);
}, 180_000);

it('stops its service when it is stopped itself', async () => {
  const run = startSoak(60);
  let output = '';
  run.stdout!.on('data', (chunk) => (output += chunk));
  await waitFor(() => / service (http:\S+)/.test(output), 30_000);
  const url = / service (http:\S+)/.exec(output)![1];
  run.kill('SIGTERM');
  await once(run, 'exit');
  const answers = () => fetch(`${url}/healthz`).then(() => true, () => false);
  await waitFor(async () => !(await answers()), 30_000);
}, 60_000);
