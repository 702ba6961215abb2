/** Up to two initials for an avatar placeholder. */
export function initials(name: string): string {
  const letters = name
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? '');
  return letters.join('') || '?';
}
