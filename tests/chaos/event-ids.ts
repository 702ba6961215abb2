/**
 * Event ids compared without knowing their format: docs/api.md only promises that they increase
 * per user. Ids are read as their runs of digits (`1700000000000-3` → [1700000000000, 3];
 * an epoch prefix such as `7:1700000000000-3` → [7, 1700000000000, 3]) compared in order,
 * then as plain strings when either has no digits.
 */
export function compareEventIds(a: string, b: string): number {
  const na = numbersOf(a);
  const nb = numbersOf(b);
  if (na.length === 0 || nb.length === 0) return a < b ? -1 : a > b ? 1 : 0;
  for (let i = 0; i < Math.min(na.length, nb.length); i++) {
    if (na[i] !== nb[i]) return na[i]! < nb[i]! ? -1 : 1;
  }
  return Math.sign(na.length - nb.length);
}

function numbersOf(id: string): bigint[] {
  return (id.match(/\d+/g) ?? []).map((d) => BigInt(d));
}
