// A process's CPU time, memory and writes from /proc, for the benchmarks and the soak: of one process, or of
// a process and every descendant (PostgreSQL serves each connection from a process of its own).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const clockTicksPerS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** Fields of /proc/PID/stat after the command name, which is in parentheses and may hold spaces. */
function statFields(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** User plus system CPU seconds of a process so far: utime and stime, fields 14 and 15 of proc(5). */
export function processCpuSeconds(pid) {
  const fields = statFields(pid);
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerS;
}

const gone = (err) => err.code === 'ENOENT' || err.code === 'ESRCH';

/** pid and its live descendants. */
function processTree(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let ppid;
    try {
      ppid = Number(statFields(entry)[1]);
    } catch (err) {
      if (gone(err)) continue;
      throw err;
    }
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const tree = [];
  for (const queue = [pid]; queue.length > 0; ) {
    const next = queue.pop();
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
}

/** Sums a per-process figure over the tree; a process that exits while it is read counts 0. */
function overTree(pid, figure) {
  return processTree(pid).reduce((sum, p) => {
    try {
      return sum + figure(p);
    } catch (err) {
      if (gone(err)) return sum;
      throw err; // unreadable (another user's /proc/PID/io): no figure rather than a wrong one
    }
  }, 0);
}

/**
 * User plus system CPU seconds so far of pid and its descendants, including the children each has reaped
 * (cutime, cstime): fields 14–17 of proc(5).
 */
export function processTreeCpuSeconds(pid) {
  return overTree(pid, (p) => statFields(p).slice(11, 15).reduce((s, ticks) => s + Number(ticks), 0) / clockTicksPerS);
}

/**
 * Bytes pid and its descendants caused to be written to storage so far (write_bytes of /proc/PID/io, which
 * also counts the children each has reaped).
 */
export function processTreeWriteBytes(pid) {
  return overTree(pid, (p) => Number(/^write_bytes: (\d+)$/m.exec(readFileSync(`/proc/${p}/io`, 'utf8'))[1]));
}

/** A line of /proc/PID/status in MiB: VmRSS (resident now) or VmHWM (its peak). */
export function memoryMiB(pid, field) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return Number(line.split(/\s+/)[1]) / 1024;
}
