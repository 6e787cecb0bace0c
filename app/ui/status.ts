import { byId, el } from './dom';

const unavailableWords: Record<string, [string, string]> = {
  storage_unavailable: ['Storage unavailable.', ' The service cannot reach its MongoDB right now (HTTP 503).'],
  unreachable: ['The service does not answer.', ' Is the port-forward still running?'],
};

/**
 * What the page is doing, said in words: loading and "no flows" in a polite status line, failures in an
 * alert. The results show only when there are some.
 */
export class Status {
  private readonly status = byId('status');
  private readonly alert = byId('alert');
  private readonly results = byId('results');

  private set(status: string, alert: Node[], results: 'show' | 'hide'): void {
    this.status.textContent = status;
    this.status.classList.toggle('quiet', results === 'show');
    this.alert.replaceChildren(...alert);
    this.results.hidden = results === 'hide';
    this.results.setAttribute('aria-busy', 'false');
  }

  /** Until the answer comes, what was shown stays: the results dimmed, an alert as it was. */
  loading(): void {
    this.status.textContent = 'Loading flows…';
    this.status.classList.remove('quiet');
    this.results.setAttribute('aria-busy', 'true');
  }

  ready(summary: string): void {
    this.set(summary, [], 'show');
  }

  empty(what: string): void {
    this.set(`No flows in ${what}.`, [], 'hide');
  }

  /** No answer, or a 503 (storage_unavailable: MongoDB is away); the page tries again by itself. */
  unavailable(code: string, retryInSeconds: number): void {
    const [what, why] = unavailableWords[code] ?? ['The service is unavailable.', ` It answered 503 (${code}).`];
    this.set('', [el('p', {}, el('strong', {}, what), why), el('p', {}, `Retrying in ${retryInSeconds} s…`)], 'hide');
  }

  /** A URL parameter the console or the API refused, named. */
  badParameter(parameter: string, problem: string): void {
    this.set('', [
      el('p', {}, el('strong', {}, 'This URL has a bad parameter: '), el('code', {}, parameter), ` ${problem}`),
      el('p', {}, el('a', { href: '/' }, 'Show the latest flows instead')),
    ], 'hide');
  }

  /** Hours the API will not read at once, and views of them it will. */
  tooManyHours(what: string, why: string, offers: { href: string; text: string }[]): void {
    this.set('', [
      el('p', {}, el('strong', {}, what), ` ${why}`),
      el('ul', {}, ...offers.map(({ href, text }) => el('li', {}, el('a', { href }, text)))),
    ], 'hide');
  }

  /** Reads need a token this tab lacks, or its token may not read: the form asks for one. */
  needsToken(form: HTMLFormElement): void {
    this.set('', [form], 'hide');
    form.querySelector('input')?.focus();
  }

  failed(message: string): void {
    this.set('', [el('p', {}, el('strong', {}, 'The flows could not be read. '), message)], 'hide');
  }
}
