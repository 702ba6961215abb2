import { trpc } from '../trpc';

/** Whether I am a group's owner or admin (who may delete anyone's message for everyone). */
export function useCanModerate(groupId: string | undefined, meId: string): boolean {
  const group = trpc.group.get.useQuery(
    { groupId: groupId ?? '' },
    { enabled: Boolean(groupId), staleTime: 60_000 },
  );
  const role = group.data?.members.find((m) => m.userId === meId)?.role;
  return role === 'owner' || role === 'admin';
}
