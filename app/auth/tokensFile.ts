import { readFileSync, Stats, unwatchFile, watchFile } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../config/load';
import { Client, parseTokensFile, sha256, TokenClient } from './clients';

/** How often the file is checked for a change. */
export const TOKENS_FILE_POLL_MS = 5000;

/**
 * The clients of AUTH_TOKENS_FILE, re-read when the file changes: a Kubernetes Secret volume updates its
 * files by swapping a symlink, which polling the path's status sees (an inotify watch on the old file would
 * not). A file that does not parse leaves the previous clients in force and is reported to `onError`.
 */
export class TokensFile {
  private clients: TokenClient[];
  private readonly changed = (now: Stats, before: Stats) => {
    if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino || now.size !== before.size) this.reload();
  };

  /** Reads the file once; throws when it cannot be read or parsed, as there is no previous set to keep. */
  constructor(
    private readonly path: string,
    private readonly onReload: (report: { clients?: number; error?: unknown }) => void,
  ) {
    this.clients = this.read();
    watchFile(path, { interval: TOKENS_FILE_POLL_MS, persistent: false }, this.changed);
  }

  private read(): TokenClient[] {
    try {
      return parseTokensFile(readFileSync(this.path, 'utf8'));
    } catch (err) {
      throw new ConfigError(`AUTH_TOKENS_FILE ${this.path}: ${(err as Error).message}`);
    }
  }

  reload(): void {
    try {
      this.clients = this.read();
      this.onReload({ clients: this.clients.length });
    } catch (error) {
      this.onReload({ error });
    }
  }

  /** The client whose token this is: every client's digest is compared, in constant time, whatever matches. */
  find(token: string): Client | undefined {
    const digest = sha256(token);
    let found: TokenClient | undefined;
    for (const client of this.clients) if (timingSafeEqual(digest, client.digest)) found = client;
    return found;
  }

  close(): void {
    unwatchFile(this.path, this.changed);
  }
}
