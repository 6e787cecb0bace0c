import { el } from './dom';

/** The key of this tab's token in sessionStorage: it dies with the tab, and no other tab sees it. */
const KEY = 'fas-token';

/** The Authorization header of the token this tab was given, if any. */
export function authorization(): Record<string, string> {
  const token = sessionStorage.getItem(KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** Why the console asks: no token yet, one the service refused (401), or one that may not read (403). */
function reason(status: number): string {
  if (status === 403) return 'This token may not read flows (HTTP 403 forbidden): enter one with the read scope.';
  if (sessionStorage.getItem(KEY)) return 'The service refused this token (HTTP 401 unauthorized): enter another.';
  return 'Reading flows needs a token (HTTP 401 unauthorized).';
}

/**
 * A form that asks for a token when reads need one, saying why; the token entered is kept for this tab
 * and `retry` is called. It submits nowhere (the page's policy allows no form action): the script reads it.
 */
export function tokenForm(status: number, retry: () => void): HTMLFormElement {
  const input = el('input', { id: 'token', type: 'password', autocomplete: 'off', required: '', spellcheck: 'false' });
  const form = el(
    'form',
    { class: 'token', 'aria-label': 'Access token' },
    el('p', {}, el('strong', {}, reason(status))),
    el('label', {}, 'Token ', input),
    el('button', { type: 'submit' }, 'Read with this token'),
    el('p', { class: 'muted' }, 'Kept for this tab only, sent as an Authorization header.'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY, input.value.trim());
    retry();
  });
  return form;
}
