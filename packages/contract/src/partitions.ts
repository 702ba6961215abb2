/**
 * Conversation-scoped work is split into a fixed number of partitions. Each partition has
 * exactly one active owner at a time (a chat worker for commands, a notification worker for
 * events), so one conversation's writes and events are handled one after another by one
 * process — the order the API promises, without locks. The count is part of the wire
 * between processes: every process must use the same number.
 */
export const PARTITIONS = 16;

/** FNV-1a (32 bit) of the id: stable across processes and languages, cheap, well spread. */
export function partitionOf(id: string, partitions = PARTITIONS): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
