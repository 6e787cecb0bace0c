import http from 'node:http';
import { FlowRecord } from '../data/flow';
import { KeyedPart, PartOutcome } from '../storage/flushContent';
import { FlowTotals } from '../storage/flowTotals';
import { FlushFailedError } from '../storage/groupCommit';
import { Settlement, settlement } from '../storage/settlement';
import { encodeForward } from './hopBody';

/** The path a member posts forwarded parts to; not part of the public API. */
export const PARTS_PATH = '/internal/v1/parts';

/** A forward that reached the member and may or may not have been applied there. */
export class HopFailedError extends FlushFailedError {}

/** What happened to one forward, for the metrics. */
export interface HopReport {
  peer: string;
  records: number;
  outcome: 'acknowledged' | 'unreachable' | 'refused' | 'failed';
}

export interface PeerLinkOptions {
  /** How long the first records of a forward wait for company. */
  windowMs: number;
  /** Longest wait for the member's answer. */
  timeoutMs: number;
  /** Keys one forward holds at most: a member refuses a larger part. */
  maxKeys: number;
  /** Bytes one forward's body holds at most (BODY_LIMIT): a member refuses a larger one. */
  maxBytes: number;
}

/** An upper bound of a key's row in a part's body: digits, quotes, commas, and each name in UTF-8. */
function rowMaxBytes(r: FlowRecord): number {
  return 80 + 3 * (r.src_app.length + r.dest_app.length + r.vpc_id.length);
}

/** A member that has not accepted a connection within this is unreachable: nothing was sent to it. */
const CONNECT_TIMEOUT_MS = 1000;

/** A part of a request with an idempotency key, in a forward, with what its caller waits on. */
interface KeyedInForward extends Settlement<PartOutcome> {
  part: KeyedPart;
}

interface Forward extends Settlement {
  part: FlowTotals;
  keyed: KeyedInForward[];
  bytes: number;
  timer?: NodeJS.Timeout;
}

function newForward(): Forward {
  return { ...settlement(), part: new FlowTotals(), keyed: [], bytes: 64 };
}

/** How a forward ended, before its callers are answered: with each keyed part's outcome when acknowledged. */
type Sent = { ok: true; outcomes: PartOutcome[] } | { ok: false; applied: 'no' | 'unknown'; reason: string };

/** What a member writes here instead, when it cannot take a forward: its records, and each keyed part. */
export interface WriteHere {
  totals(part: FlowTotals): Promise<void>;
  keyed(part: KeyedPart): Promise<PartOutcome>;
}

/**
 * The records this member forwards to one other member: summed by key over a short window, posted as one
 * part, and acknowledged once that member's flush holding them is. A member that could not be reached, or
 * that refused the part before applying any of it, costs nothing: the part is written here instead. A
 * forward that reached it and failed there is answered as a failed flush: it may have been applied.
 */
export class PeerLink {
  private open?: Forward;
  private inFlight = 0;

  constructor(
    readonly url: string,
    private readonly agent: http.Agent,
    private readonly options: PeerLinkOptions,
    private readonly writeHere: WriteHere,
    private readonly report: (report: HopReport) => void,
  ) {}

  /** Records accepted for this member and not yet acknowledged. */
  get pendingRecords(): number {
    return this.inFlight + (this.open ? recordsOf(this.open) : 0);
  }

  /**
   * Resolves when the records (`ids` their flowKeyIds) are acknowledged, by that member or, when it cannot
   * take them, here. A forward full of keys or bytes leaves at once and the rest go in the next.
   */
  add(records: readonly FlowRecord[], ids: readonly string[]): Promise<void> {
    const forwards: Promise<void>[] = [];
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const bytes = rowMaxBytes(r);
      if (this.open && (this.open.part.byKey.size >= this.options.maxKeys || this.open.bytes + bytes > this.options.maxBytes)) {
        this.send(this.open);
      }
      if (!this.open) {
        const forward = newForward();
        forward.timer = setTimeout(() => this.send(forward), this.options.windowMs);
        this.open = forward;
      }
      if (forwards[forwards.length - 1] !== this.open.done) forwards.push(this.open.done);
      this.open.part.addKey(ids[i], r, r.bytes_tx, r.bytes_rx);
      this.open.part.records++;
      this.open.bytes += bytes;
    }
    return forwards.length === 1 ? forwards[0] : Promise.all(forwards).then(() => {});
  }

  /** Resolves with what became of a request's part with an idempotency key: a unit of its own in the forward. */
  addKeyed(part: KeyedPart): Promise<PartOutcome> {
    let bytes = 0;
    part.totals.byKey.forEach(({ key }) => (bytes += 80 + 3 * (key.src_app.length + key.dest_app.length + key.vpc_id.length)));
    const size = (open: Forward) => open.part.byKey.size + open.keyed.reduce((keys, k) => keys + k.part.totals.byKey.size, 0);
    if (this.open && (size(this.open) + part.totals.byKey.size > this.options.maxKeys || this.open.bytes + bytes > this.options.maxBytes)) {
      this.send(this.open);
    }
    if (!this.open) {
      const forward = newForward();
      forward.timer = setTimeout(() => this.send(forward), this.options.windowMs);
      this.open = forward;
    }
    const keyed = { ...settlement<PartOutcome>(), part };
    this.open.keyed.push(keyed);
    this.open.bytes += bytes;
    return keyed.done;
  }

  /** Sends what waits now, for a shutdown. */
  flush(): void {
    if (this.open) this.send(this.open);
  }

  private send(forward: Forward): void {
    clearTimeout(forward.timer);
    if (this.open === forward) this.open = undefined;
    const records = recordsOf(forward);
    this.inFlight += records;
    const keyed = forward.keyed.map((k) => k.part);
    this.post(encodeForward({ unkeyed: forward.part, parts: keyed }))
      .then(async (sent): Promise<PartOutcome[]> => {
        if (sent.ok) {
          this.report({ peer: this.url, records, outcome: 'acknowledged' });
          if (sent.outcomes.length !== keyed.length) throw new HopFailedError(`member ${this.url} answered for other parts`);
          return sent.outcomes;
        }
        if (sent.applied === 'unknown') {
          this.report({ peer: this.url, records, outcome: 'failed' });
          throw new HopFailedError(`member ${this.url} did not acknowledge the forwarded records: ${sent.reason}`);
        }
        this.report({ peer: this.url, records, outcome: sent.reason === 'unreachable' ? 'unreachable' : 'refused' });
        const [, outcomes] = await Promise.all([
          forward.part.records > 0 ? this.writeHere.totals(forward.part) : undefined,
          Promise.all(keyed.map((part) => this.writeHere.keyed(part))),
        ]);
        return outcomes;
      })
      .then(
        (outcomes) => {
          forward.resolve();
          forward.keyed.forEach((k, i) => k.resolve(outcomes[i]));
        },
        (err: Error) => {
          forward.reject(err);
          for (const k of forward.keyed) k.reject(err);
        },
      )
      .finally(() => {
        this.inFlight -= records;
      });
  }

  /** One POST of a part; never rejects. */
  private post(body: string): Promise<Sent> {
    return new Promise((resolve) => {
      let connected = false;
      let settled = false;
      const settle = (sent: Sent) => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        clearTimeout(answerTimer);
        resolve(sent);
      };
      const req = http.request(`${this.url}${PARTS_PATH}`, {
        method: 'POST',
        agent: this.agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      const connectTimer = setTimeout(() => {
        if (!connected) req.destroy(new Error('connect timeout'));
      }, CONNECT_TIMEOUT_MS);
      const answerTimer = setTimeout(() => req.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
      req.on('socket', (socket) => {
        if (!socket.connecting) connected = true;
        else socket.once('connect', () => (connected = true));
      });
      // Before a connection opened nothing can have been sent; after, the member may have applied the part.
      req.on('error', (err) =>
        settle(connected ? { ok: false, applied: 'unknown', reason: err.message } : { ok: false, applied: 'no', reason: 'unreachable' }),
      );
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', (err) => settle({ ok: false, applied: 'unknown', reason: err.message }));
        res.on('end', () => settle(answerOf(res.statusCode ?? 0, text)));
      });
      req.end(body);
    });
  }
}

/** A member's answer: 200, a refusal that applied nothing, or a failure that may have applied some of it. */
function answerOf(status: number, text: string): Sent {
  let body: { error?: string; applied?: string; parts?: PartOutcome[] } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Not the service's answer: nothing is known of what happened.
  }
  if (status === 200) {
    const outcomes = body.parts ?? [];
    // The member's word on each part is checked like any body it sends.
    if (!Array.isArray(outcomes) || !outcomes.every(isPartOutcome)) return { ok: false, applied: 'unknown', reason: 'unreadable answer' };
    return { ok: true, outcomes };
  }
  const reason = `${status} ${body.error ?? ''}`.trim();
  return { ok: false, applied: body.applied === 'no' ? 'no' : 'unknown', reason };
}

/** The records a forward holds, keyed parts included. */
function recordsOf(forward: Forward): number {
  return forward.keyed.reduce((records, k) => records + k.part.totals.records, forward.part.records);
}

function isPartOutcome(value: unknown): value is PartOutcome {
  if (typeof value !== 'object' || value === null) return false;
  const o = value as Record<string, unknown>;
  if (o.kind === 'applied' || o.kind === 'done' || o.kind === 'conflict') return Object.keys(o).length === 1;
  if (o.kind === 'resplit') return typeof o.split === 'string';
  const flush = o.flush as Record<string, unknown> | undefined;
  return o.kind === 'pending' && Number.isSafeInteger(flush?.slot) && Number.isSafeInteger(flush?.seq);
}
