/**
 * Rendezvous (highest random weight) hashing: the replica with the highest hash of
 * (partition, replica) owns the partition. Every replica computes the same answer from the
 * same list, and a replica joining or leaving moves only the partitions it wins or held.
 */
export function rendezvousOwner(partition: number, replicas: readonly string[]): string | null {
  let best: string | null = null;
  let bestWeight = -1;
  for (const replica of replicas) {
    const weight = fnv1a(`${partition}:${replica}`);
    if (weight > bestWeight || (weight === bestWeight && best !== null && replica < best)) {
      best = replica;
      bestWeight = weight;
    }
  }
  return best;
}

function fnv1a(s: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    hash ^= s.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // A final avalanche so similar inputs (consecutive partitions) spread well.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash >>> 0;
}
