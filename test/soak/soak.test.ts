import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { mongoUri } from '../support/service';

/** The CI variant of the soak (docs/reliability.md): 60 s at a modest rate, no errors, no growth, exact totals. */
it('soaks for 60 s without errors, growth or lost totals', async () => {
  const soak = spawn(process.execPath, [join(__dirname, '../../scripts/soak.mjs'), '--seconds', '60', '--rate', '12'], {
    env: { ...process.env, MONGODB_URI: mongoUri() },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  soak.stdout.on('data', (chunk) => (output += chunk));
  const [code] = await once(soak, 'exit');
  expect(output).toContain('soak: ok');
  expect(code).toBe(0);
}, 120_000);
