import { ApiError } from './errors';

/**
 * At most `size` expensive reads at once on this instance; one more is refused at once (503, Retry-After)
 * rather than queued, so reads never take the event loop, MongoDB's connections or the heap from the probes
 * and the POSTs.
 */
export class ReadSlots {
  private taken = 0;

  constructor(private readonly size: number) {}

  /** Takes a slot, or throws the 503 when none is free; the returned function gives it back (call it once). */
  take(): () => void {
    if (this.taken >= this.size) {
      throw new ApiError(
        503,
        'overloaded',
        `${this.size} expensive reads are already running on this instance (MAX_CONCURRENT_READS); retry later`,
      );
    }
    this.taken++;
    return () => {
      this.taken--;
    };
  }
}
