/** 32-bit FNV-1a over a string's UTF-16 code units: cheap and stable. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** MurmurHash3's finalizer: every input bit moves every output bit, so one key's scores are independent. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Rendezvous (highest random weight) hashing: a key belongs to the member with the highest score for it.
 * When a member joins or leaves, only the keys it wins or held move, about 1/N of them, and every member
 * with the same list computes the same owner.
 */
export class Owners {
  private readonly seeds: number[];

  constructor(readonly members: readonly string[]) {
    this.seeds = members.map(fnv1a);
  }

  /** The member that owns a key id (flowKeyId). */
  ownerOf(keyId: string): string {
    const key = fnv1a(keyId);
    let best = 0;
    let bestScore = -1;
    for (let i = 0; i < this.seeds.length; i++) {
      const score = mix(key ^ this.seeds[i]);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return this.members[best];
  }
}
