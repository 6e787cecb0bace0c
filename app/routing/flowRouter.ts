import http from 'node:http';
import { FlowRecord } from '../data/flow';
import { flowKeyId } from '../query/flows';
import { FlowStore } from '../storage/flowStore';
import { FlowTotals } from '../storage/flowTotals';
import { OverloadedError } from '../storage/groupCommit';
import { Membership } from './members';
import { Owners } from './owners';
import { HopReport, PeerLink, PeerLinkOptions } from './peerLink';

export interface FlowRouterOptions extends PeerLinkOptions {
  /** Records accepted and not yet acknowledged, here and on their way to other members, at most. */
  pendingMaxRecords: number;
}

/**
 * Routes each record to the member that owns its key (rendezvous hashing over the members this one sees),
 * so that each key is written by one member and the fleet's flushes hold each key once. The records this
 * member owns go to its own store; the others are forwarded, summed by key, to their owners. Correctness
 * never depends on it: $inc commutes, so members that disagree for a moment about the fleet both write a
 * key and the sums stay exact.
 */
export class FlowRouter {
  private readonly links = new Map<string, PeerLink>();
  private readonly agent = new http.Agent({ keepAlive: true });
  private owners = new Owners([]);

  constructor(
    private readonly store: Pick<FlowStore, 'ingest' | 'ingestTotals' | 'pendingRecords'>,
    private readonly membership: Membership,
    private readonly options: FlowRouterOptions,
    private readonly report: (report: HopReport) => void,
  ) {}

  /** Records accepted and not yet acknowledged: in this member's store, and forwarded to others. */
  get pendingRecords(): number {
    let forwarded = 0;
    this.links.forEach((link) => (forwarded += link.pendingRecords));
    return this.store.pendingRecords + forwarded;
  }

  /**
   * Resolves when every record is acknowledged with the configured write concern, by its owner or here;
   * rejects when any part was not, once every part has settled.
   */
  async ingest(records: readonly FlowRecord[]): Promise<void> {
    const { self, members } = this.membership.view;
    if (members.length === 1 && members[0] === self) return this.store.ingest(records);
    if (this.pendingRecords + records.length > this.options.pendingMaxRecords) {
      throw new OverloadedError(`more than ${this.options.pendingMaxRecords} records are waiting to be written`);
    }
    const owners = this.ownersOf(members);
    const mine: FlowRecord[] = [];
    const theirs = new Map<string, { records: FlowRecord[]; ids: string[] }>();
    for (const r of records) {
      const id = flowKeyId(r);
      const owner = owners.ownerOf(id);
      if (owner === self) {
        mine.push(r);
        continue;
      }
      let part = theirs.get(owner);
      if (!part) theirs.set(owner, (part = { records: [], ids: [] }));
      part.records.push(r);
      part.ids.push(id);
    }
    const parts: Promise<void>[] = [];
    if (mine.length > 0) parts.push(this.store.ingest(mine));
    theirs.forEach((part, owner) => parts.push(this.link(owner).add(part.records, part.ids)));
    const failed = (await Promise.allSettled(parts)).find((p): p is PromiseRejectedResult => p.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * Writes a part another member forwarded, here, whoever owns its keys now: the sender saw it as the owner,
   * and writing it is correct anyway. Resolves with how many of its keys this member does not own.
   */
  async receive(part: FlowTotals): Promise<number> {
    const { self, members } = this.membership.view;
    const owners = this.ownersOf(members);
    let notOwned = 0;
    part.byKey.forEach((_, id) => {
      if (owners.ownerOf(id) !== self) notOwned++;
    });
    await this.store.ingestTotals(part);
    return notOwned;
  }

  /** Sends every forward still waiting for its window: the member is shutting down. */
  flush(): void {
    this.links.forEach((link) => link.flush());
  }

  close(): void {
    this.agent.destroy();
  }

  private ownersOf(members: readonly string[]): Owners {
    if (this.owners.members !== members) {
      this.owners = new Owners(members);
      // Links to members that left go once nothing is on its way to them.
      this.links.forEach((link, url) => {
        if (!members.includes(url) && link.pendingRecords === 0) this.links.delete(url);
      });
    }
    return this.owners;
  }

  private link(url: string): PeerLink {
    let link = this.links.get(url);
    if (!link) {
      link = new PeerLink(url, this.agent, this.options, (part) => this.store.ingestTotals(part), this.report);
      this.links.set(url, link);
    }
    return link;
  }
}
