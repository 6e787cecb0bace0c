import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { mongoUri } from '../support/service';

const script = join(__dirname, '../../scripts/fuzz.sh');

/**
 * schemathesis against the built service, from its /openapi.json: no 5xx, every response as documented. The
 * seed and the example count are fixed in scripts/fuzz.sh, so a run is reproducible and bounded.
 */
describe('fuzzing from the OpenAPI document', () => {
  it('finds no server error and no response that breaks the document', async () => {
    const child = spawn(script, [], {
      env: { ...process.env, MONGODB_URI: mongoUri() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const [code] = await once(child, 'exit');
    if (code !== 0) throw new Error(`scripts/fuzz.sh exited ${code}:\n${output.slice(-20_000)}`);
    expect(output).toMatch(/No issues found/);
  }, 600_000);
});
