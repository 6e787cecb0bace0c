import { promises as dns } from 'node:dns';
import { Logger } from 'winston';
import { normalizeUrl, peerList, Settings } from '../config/settings';
import { describeError } from '../logger';

/** The fleet as this member sees it: every member's hop endpoint, sorted, and its own. */
export interface MemberView {
  self: string;
  members: readonly string[];
}

/**
 * Who is in the fleet: the members PEERS names, or every address PEER_DNS_NAME resolves to (a headless
 * Service lists the ready pods) resolved again every PEER_REFRESH_MS, with this member always among them
 * until it leaves. Without either, the fleet is this member alone.
 */
export class Membership {
  private current: MemberView;
  private leaving = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly settings: Settings,
    private readonly logger: Logger,
    private readonly resolve: (name: string) => Promise<string[]> = (name) => dns.resolve4(name),
  ) {
    const self = settings.peers ? normalizeUrl(settings.peerUrl) : settings.podIp ? `http://${settings.podIp}:${settings.hopPort}` : 'local';
    this.current = { self, members: settings.peers ? peerList(settings.peers).sort() : [self] };
  }

  get view(): MemberView {
    return this.current;
  }

  /** Whether other members exist to route to. */
  get isFleet(): boolean {
    return Boolean(this.settings.peers || this.settings.peerDnsName);
  }

  start(): void {
    if (!this.settings.peerDnsName) return;
    const refresh = async () => {
      try {
        const addresses = await this.resolve(this.settings.peerDnsName);
        this.update(addresses.map((ip) => `http://${ip}:${this.settings.hopPort}`));
      } catch (err) {
        this.logger.warn('fleet members not resolved; keeping the last view', describeError(err));
      }
      this.timer = setTimeout(() => void refresh(), this.settings.peerRefreshMs);
    };
    void refresh();
  }

  /** Shutting down: this member owns no key from now on, so the others are written to instead. */
  leave(): void {
    this.leaving = true;
    this.update([...this.current.members]);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private update(found: string[]): void {
    const members = new Set(found.map(normalizeUrl));
    members.add(this.current.self);
    // A member leaving stops owning keys, unless no one else is left to own them.
    if (this.leaving && members.size > 1) members.delete(this.current.self);
    const sorted = [...members].sort();
    if (sorted.join() !== this.current.members.join()) {
      this.logger.info('fleet members changed', { members: sorted });
      this.current = { self: this.current.self, members: sorted };
    }
  }
}
