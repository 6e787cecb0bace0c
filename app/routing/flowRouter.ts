import http from 'node:http';
import { FlowRecord } from '../data/flow';
import { KeyReusedError, RequestClaim, RequestInFlightError } from '../exactlyOnce/requestKey';
import { flowKeyId } from '../query/flows';
import { FlowStore } from '../storage/flowStore';
import { FlushContent, KeyedPart, PartOutcome } from '../storage/flushContent';
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
    private readonly store: Pick<FlowStore, 'ingest' | 'ingestTotals' | 'ingestPart' | 'pendingRecords'>,
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
   * Writes a request with an idempotency key so that its records are applied at most once, however often it
   * is sent and to whichever member (docs/exactly-once.md): split by owner over the members this one sees, each
   * part claimed by the flush that writes it. Resolves when every part is applied, now or by an earlier
   * attempt, with the records this attempt applied (none for a repeat); throws KeyReusedError when the key
   * came with other records, RequestInFlightError when an earlier attempt still holds a part.
   */
  async ingestKeyed(records: readonly FlowRecord[], claim: RequestClaim): Promise<number> {
    if (this.pendingRecords + records.length > this.options.pendingMaxRecords) {
      throw new OverloadedError(`more than ${this.options.pendingMaxRecords} records are waiting to be written`);
    }
    let split = this.membership.view.members;
    let applied = 0;
    // A second round only when an earlier attempt split the request over other members: its split then holds.
    for (let round = 0; round < 2; round++) {
      const parts = this.split(records, split).flatMap((totals, part): KeyedPart[] =>
        totals.records === 0 ? [] : [{ claim: { ...claim, split: split.join(' '), part }, totals }],
      );
      const outcomes = await Promise.allSettled(parts.map((p) => this.writePart(split[p.claim.part], p)));
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) throw failed.reason;
      const kinds = outcomes.map((o) => (o as PromiseFulfilledResult<PartOutcome>).value);
      kinds.forEach((o, i) => {
        if (o.kind === 'applied') applied += parts[i].totals.records;
      });
      if (kinds.some((o) => o.kind === 'conflict')) throw new KeyReusedError('the Idempotency-Key was used with other records');
      const resplit = kinds.find((o): o is Extract<PartOutcome, { kind: 'resplit' }> => o.kind === 'resplit');
      if (resplit) {
        split = resplit.split.split(' ');
        continue;
      }
      if (kinds.some((o) => o.kind === 'pending')) throw new RequestInFlightError('an earlier request with this Idempotency-Key is still being written');
      return applied;
    }
    throw new RequestInFlightError('the request with this Idempotency-Key was split over other members twice');
  }

  /** The records by owner among the members of the split, summed by key. */
  private split(records: readonly FlowRecord[], members: readonly string[]): FlowTotals[] {
    const parts = members.map(() => new FlowTotals());
    if (members.length === 1) {
      parts[0].add(records);
      return parts;
    }
    const owners = new Owners(members);
    for (const r of records) {
      const id = flowKeyId(r);
      const part = parts[members.indexOf(owners.ownerOf(id))];
      part.addKey(id, r, r.bytes_tx, r.bytes_rx);
      part.records++;
    }
    return parts;
  }

  /** A keyed part to its member, or here when that member is this one or no longer in the fleet. */
  private writePart(member: string, part: KeyedPart): Promise<PartOutcome> {
    const { self, members } = this.membership.view;
    return member === self || !members.includes(member) ? this.store.ingestPart(part) : this.link(member).addKeyed(part);
  }

  /**
   * Writes what another member forwarded, here, whoever owns its keys now: the sender saw this member as
   * the owner, and writing it is correct anyway. Resolves with each keyed part's outcome, and how many of
   * its keys this member does not own.
   */
  async receive(content: FlushContent): Promise<{ outcomes: PartOutcome[]; notOwned: number }> {
    const { self, members } = this.membership.view;
    const owners = this.ownersOf(members);
    let notOwned = 0;
    const count = (totals: FlowTotals) =>
      totals.byKey.forEach((_, id) => {
        if (owners.ownerOf(id) !== self) notOwned++;
      });
    count(content.unkeyed);
    content.parts.forEach((p) => count(p.totals));
    const [, outcomes] = await Promise.all([
      content.unkeyed.records > 0 ? this.store.ingestTotals(content.unkeyed) : undefined,
      Promise.all(content.parts.map((p) => this.store.ingestPart(p))),
    ]);
    return { outcomes, notOwned };
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
      const here = { totals: (part: FlowTotals) => this.store.ingestTotals(part), keyed: (part: KeyedPart) => this.store.ingestPart(part) };
      link = new PeerLink(url, this.agent, this.options, here, this.report);
      this.links.set(url, link);
    }
    return link;
  }
}
