import type { TrpcUtils } from '../trpc';

/**
 * Who reacted, for a label or tooltip: "you, Bob and Carol" when every name is cached,
 * otherwise "you and 2 others" (no fetch per reaction just for a tooltip).
 */
export function reactorsLabel(userIds: readonly string[], meId: string, utils: TrpcUtils): string {
  const mine = userIds.includes(meId);
  const others = userIds.filter((id) => id !== meId);
  const names = others.map((userId) => {
    const user = utils.user.byId.getData({ userId });
    return user ? user.displayName || user.username : undefined;
  });
  const parts: string[] = mine ? ['you'] : [];
  if (names.every((name) => name !== undefined)) parts.push(...names);
  else if (others.length > 0)
    parts.push(
      mine
        ? `${others.length} ${others.length === 1 ? 'other' : 'others'}`
        : `${others.length} ${others.length === 1 ? 'person' : 'people'}`,
    );
  if (parts.length <= 1) return parts[0] ?? 'nobody';
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}
