/**
 * Runs a refresh after some seconds, or, if the page is hidden then, as soon as it is seen again: nobody
 * reads a hidden tab, so it asks the service nothing. A new schedule replaces the last.
 */
export class Refresh {
  private timer?: number;
  private waiting?: () => void;

  schedule(seconds: number, run: () => void): void {
    this.cancel();
    this.timer = window.setTimeout(() => {
      if (!document.hidden) return run();
      this.waiting = () => {
        if (document.hidden) return;
        this.cancel();
        run();
      };
      document.addEventListener('visibilitychange', this.waiting);
    }, seconds * 1000);
  }

  cancel(): void {
    clearTimeout(this.timer);
    if (this.waiting) document.removeEventListener('visibilitychange', this.waiting);
    this.waiting = undefined;
  }
}
