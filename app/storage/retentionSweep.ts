import { Collection, Document } from 'mongodb';

/** Documents deleted per command: each delete stays short, so writes never queue behind it. */
export const SWEEP_CHUNK = 1000;

export interface SweepReport {
  /** Hours before this one were deleted. */
  oldestHour: number;
  deleted: number;
  durationMs: number;
  error?: unknown;
}

/** A collection to sweep, and the query of its documents before an hour. */
export interface SweptCollection {
  collection: Collection<Document>;
  expired: (hour: number) => { filter: Document; projection: Document };
}

export interface RetentionSweepOptions {
  intervalMs: number;
  /** The oldest hour to keep, now. */
  oldestHour: () => number;
  /** Sweeps only run while MongoDB is ready. */
  ready: () => boolean;
  onSweep: (report: SweepReport) => void;
}

/**
 * Deletes the documents of hours past retention, periodically, a chunk at a time: key documents, and every
 * roll-up document whose first hour is past retention (a day's goes with its first hour). Any number of
 * replicas may run it at once: each deletes by _id what it found expired, so a document is deleted, and
 * counted, once.
 */
export class RetentionSweep {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly collections: readonly SweptCollection[],
    private readonly options: RetentionSweepOptions,
  ) {}

  /** Sweeps every interval; replicas started together spread their first sweeps over one interval. */
  start(): void {
    this.schedule(Math.random() * this.options.intervalMs);
  }

  /** Stops sweeping; resolves when a sweep under way has finished its chunk. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Deletes every document of an hour before the oldest kept; resolves with how many it deleted. */
  async sweep(): Promise<number> {
    const oldestHour = this.options.oldestHour();
    const started = performance.now();
    let deleted = 0;
    try {
      for (const { collection, expired } of this.collections) {
        const { filter, projection } = expired(oldestHour);
        while (!this.stopped) {
          const ids = await collection.find(filter, { projection, limit: SWEEP_CHUNK }).map((d) => d._id).toArray();
          if (ids.length === 0) break;
          const result = await collection.deleteMany({ _id: { $in: ids } });
          deleted += result.deletedCount;
        }
      }
      this.options.onSweep({ oldestHour, deleted, durationMs: performance.now() - started });
    } catch (error) {
      this.options.onSweep({ oldestHour, deleted, durationMs: performance.now() - started, error });
    }
    return deleted;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.options.ready() ? this.sweep().then(() => {}) : undefined;
      void Promise.resolve(this.running).then(() => this.schedule(this.options.intervalMs));
    }, delayMs);
    this.timer.unref();
  }
}
