import { el } from './dom';

/** An API read behind a part of the page, named for what it asks. */
export interface Read {
  name: string;
  url: string;
}

/** The API reads behind a part of the page, each a link to its answer, the whole URL on hover. */
export function renderReads(element: HTMLElement, reads: Read[]): void {
  element.replaceChildren(
    'API reads: ',
    ...reads.flatMap(({ name, url }, i) => [...(i ? [' · '] : []), el('a', { href: url, title: url }, name)]),
  );
}

/** Reads of one kind: numbered when there are several, as a read narrowed to many names may be split. */
export function named(name: string, urls: string[]): Read[] {
  return urls.map((url, i) => ({ name: urls.length > 1 ? `${name} (${i + 1} of ${urls.length})` : name, url }));
}
