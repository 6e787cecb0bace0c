import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Instruction {
  keyword: string;
  flags: Record<string, string>;
  args: string;
}

/** Dockerfile instructions, with line continuations joined and comments and parser directives dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  return logical.map((line) => {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (!match) throw new Error(`unparsable Dockerfile line: ${line}`);
    let rest = match[2];
    const flags: Record<string, string> = {};
    let flag: RegExpExecArray | null;
    while ((flag = /^--([a-z-]+)=(\S+)\s+/.exec(rest))) {
      flags[flag[1]] = flag[2];
      rest = rest.slice(flag[0].length);
    }
    return { keyword: match[1].toUpperCase(), flags, args: rest.trim() };
  });
}

/** .dockerignore patterns (no `!` exceptions: this replay does not implement them, so it refuses them). */
export function dockerignoreMatcher(text: string): (file: string) => boolean {
  const patterns = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const regexes = patterns.map((pattern) => {
    if (pattern.startsWith('!')) throw new Error(`.dockerignore exception ${pattern} is not supported by this replay`);
    const source = pattern
      .replace(/^\/+/, '')
      .replace(/\/+$/, '')
      .split('')
      .map((c, i, all) => {
        if (c === '*') return all[i + 1] === '*' ? '' : all[i - 1] === '*' ? '.*' : '[^/]*';
        if (c === '?') return '[^/]';
        return c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      })
      .join('');
    // A pattern naming a directory excludes everything under it.
    return new RegExp(`^${source}(/.*)?$`);
  });
  return (file) => regexes.some((re) => re.test(file));
}

/** The build context docker would send: the files of the work tree (tracked or not, but not git-ignored) minus .dockerignore. */
export function buildContextFiles(repoRoot: string): string[] {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f && existsSync(path.join(repoRoot, f)));
  const ignored = dockerignoreMatcher(readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8'));
  return files.filter((f) => !ignored(f));
}

interface Stage {
  name: string;
  base: string;
  root: string;
  workdir: string;
  env: Record<string, string>;
  user?: string;
  cmd?: string[];
  expose: string[];
  runs: string[];
}

export interface ReplayResult {
  stages: Stage[];
  /** The final stage's working directory on this machine, where its CMD runs. */
  runtimeDir: string;
}

/**
 * Replays a Dockerfile outside Docker: each stage gets its own directory standing for its filesystem root,
 * COPY copies from the build context (or another stage), RUN runs with sh in the stage's WORKDIR. npm runs
 * offline, from this machine's npm cache, so the replay never reaches the network.
 */
export function replayDockerfile(dockerfile: string, contextDir: string, runTimeoutMs: number): ReplayResult {
  const work = mkdtempSync(path.join(tmpdir(), 'fas-docker-'));
  const stages: Stage[] = [];
  const current = () => {
    const stage = stages[stages.length - 1];
    if (!stage) throw new Error('instruction before FROM');
    return stage;
  };
  const inStage = (stage: Stage, containerPath: string) =>
    path.join(stage.root, path.posix.isAbsolute(containerPath) ? containerPath : path.posix.join(stage.workdir, containerPath));

  for (const { keyword, flags, args } of parseDockerfile(dockerfile)) {
    switch (keyword) {
      case 'FROM': {
        const [base, as, name] = args.split(/\s+/);
        const root = path.join(work, `stage-${stages.length}`);
        mkdirSync(root, { recursive: true });
        stages.push({
          name: as?.toUpperCase() === 'AS' ? name : String(stages.length),
          base,
          root,
          workdir: '/',
          env: {},
          expose: [],
          runs: [],
        });
        break;
      }
      case 'WORKDIR':
        current().workdir = path.posix.resolve(current().workdir, args);
        mkdirSync(inStage(current(), '.'), { recursive: true });
        break;
      case 'ENV': {
        const [key, ...value] = args.split('=');
        current().env[key] = value.join('=');
        break;
      }
      case 'COPY': {
        const parts = args.split(/\s+/);
        const dest = parts.pop() as string;
        const from = flags.from ? stages.find((s) => s.name === flags.from) : undefined;
        if (flags.from && !from) throw new Error(`COPY --from=${flags.from}: no such stage`);
        for (const src of parts) {
          const source = from ? inStage(from, src) : path.join(contextDir, src);
          if (!existsSync(source)) throw new Error(`COPY ${src}: not in the ${from ? `stage ${from.name}` : 'build context'}`);
          const target = inStage(current(), dest);
          const intoDir = dest.endsWith('/') || parts.length > 1;
          const destination = statSync(source).isDirectory() || !intoDir ? target : path.join(target, path.basename(src));
          mkdirSync(path.dirname(destination), { recursive: true });
          cpSync(source, destination, { recursive: true });
        }
        break;
      }
      case 'RUN': {
        const stage = current();
        stage.runs.push(args);
        const result = spawnSync('sh', ['-c', args], {
          cwd: inStage(stage, '.'),
          encoding: 'utf8',
          timeout: runTimeoutMs,
          env: { ...process.env, NODE_PATH: '', npm_config_offline: 'true', npm_config_update_notifier: 'false', ...stage.env },
        });
        if (result.status !== 0) {
          const hint = /ENOTCACHED/.test(result.stderr)
            ? 'npm runs offline here and a package is missing from the npm cache: run `npm ci` in the repository once.\n'
            : '';
          throw new Error(hint + `RUN ${args} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}\n${result.stderr}`);
        }
        break;
      }
      case 'USER':
        current().user = args;
        break;
      case 'EXPOSE':
        current().expose.push(...args.split(/\s+/));
        break;
      case 'CMD':
        current().cmd = JSON.parse(args) as string[];
        break;
      default:
        throw new Error(`Dockerfile instruction ${keyword} is not replayed by this test; teach dockerReplay.ts about it`);
    }
  }
  const runtime = current();
  return { stages, runtimeDir: inStage(runtime, '.') };
}
