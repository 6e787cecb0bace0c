import { ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../support/disposableMongo';
import { buildContextFiles, dockerignoreMatcher, parseDockerfile, replayDockerfile, ReplayResult } from './dockerReplay';

const repoRoot = path.resolve(__dirname, '../..');
const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
const instructions = parseDockerfile(dockerfile);

describe('Dockerfile', () => {
  test('multi-stage on Node 20 slim or alpine: builds with dev dependencies, runs on production ones', () => {
    const froms = instructions.filter((i) => i.keyword === 'FROM').map((i) => i.args.split(/\s+/)[0]);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const base of froms) expect(base).toMatch(/^node:20(\.\d+)*-(slim|alpine)/);
    const runs = instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs).toContain('npm run build');
    expect(runs.some((r) => /^npm ci\b(?!.*--omit=dev)/.test(r))).toBe(true);
    expect(runs[runs.length - 1]).toMatch(/^npm ci --omit=dev\b/);
  });

  test('runs as a non-root user, in production mode, node itself as PID 1 (exec-form CMD), on port 9527', () => {
    const last = instructions.slice(instructions.map((i) => i.keyword).lastIndexOf('FROM'));
    const user = last.filter((i) => i.keyword === 'USER').pop()?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(last.some((i) => i.keyword === 'ENV' && i.args === 'NODE_ENV=production')).toBe(true);
    expect(last.some((i) => i.keyword === 'EXPOSE' && i.args === '9527')).toBe(true);
    const cmd = last.filter((i) => i.keyword === 'CMD').pop()?.args ?? '';
    expect(cmd.startsWith('[')).toBe(true);
    expect(JSON.parse(cmd)).toEqual(['node', 'dist/index.js']);
  });

  test('.dockerignore keeps tests, charts, dependencies, build output and caches out of the context', () => {
    const ignored = dockerignoreMatcher(readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8'));
    for (const file of ['node_modules/koa/package.json', 'dist/index.js', 'test/chart/helm.ts', 'charts/fas/Chart.yaml',
      'k8s/kind-config.yaml', '.git/HEAD', 'coverage/lcov.info', '.cache/x']) {
      expect([file, ignored(file)]).toEqual([file, true]);
    }
    for (const file of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'app/index.ts']) {
      expect([file, ignored(file)]).toEqual([file, false]);
    }
  });
});

async function status(url: string): Promise<number | undefined> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).status;
  } catch {
    return undefined;
  }
}

describe('the image, replayed outside Docker in a clean copy of the build context', () => {
  let root: string;
  let replay: ReplayResult;
  let server: ChildProcess | undefined;

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'fas-context-'));
    const context = path.join(root, 'context');
    for (const file of buildContextFiles(repoRoot)) {
      mkdirSync(path.dirname(path.join(context, file)), { recursive: true });
      cpSync(path.join(repoRoot, file), path.join(context, file));
    }
    replay = replayDockerfile(dockerfile, context, 240_000);
  }, 600_000);

  afterAll(() => {
    if (server?.exitCode === null) server.kill('SIGKILL');
    for (const stage of replay?.stages ?? []) rmSync(path.dirname(stage.root), { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  test('the runtime stage holds only the production install and the compiled service', () => {
    const runtime = replay.runtimeDir;
    expect(readFileSync(path.join(runtime, 'dist/index.js'), 'utf8')).toContain('listen');
    // The console ships bundled: its page names its hashed script, and ECharts stays a build-time package.
    expect(readFileSync(path.join(runtime, 'dist/console/index.html'), 'utf8')).toMatch(/\/assets\/console-\w+\.js/);
    expect(() => readFileSync(path.join(runtime, 'node_modules/echarts/package.json'))).toThrow();
    expect(() => readFileSync(path.join(runtime, 'node_modules/koa/package.json'))).not.toThrow();
    // Dev dependencies stay in the build stage.
    expect(() => readFileSync(path.join(runtime, 'node_modules/typescript/package.json'))).toThrow();
    expect(() => readFileSync(path.join(runtime, 'app/index.ts'))).toThrow();
  });

  test('the CMD starts the service: /healthz answers 200, /readyz 503 without MongoDB, SIGTERM exits 0', async () => {
    const stage = replay.stages[replay.stages.length - 1];
    const [command, ...args] = stage.cmd ?? [];
    expect(command).toBe('node');
    const port = await freePort();
    server = spawn(process.execPath, args, {
      cwd: replay.runtimeDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        ...stage.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        // Nothing listens on port 1: the service must serve its probes while MongoDB is unreachable.
        MONGODB_URI: 'mongodb://127.0.0.1:1/',
        MONGODB_SERVER_SELECTION_TIMEOUT_MS: '500',
        SHUTDOWN_DELAY_MS: '0',
        SHUTDOWN_TIMEOUT_MS: '2000',
      },
    });
    let output = '';
    server.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => server?.on('exit', (code) => resolve(code)));

    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    while ((await status(`${base}/healthz`)) !== 200) {
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`the service did not answer /healthz:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await status(`${base}/readyz`)).toBe(503);

    expect(server.pid).toBeDefined();
    process.kill(server.pid as number, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise((r) => (timer = setTimeout(() => r('timeout'), 15_000)))]);
    clearTimeout(timer);
    expect([code, output]).toEqual([0, expect.stringContaining('listening')]);
  }, 60_000);
});
