import { AppError, type RequestMeta } from '@chat/core';
import type { RpcCaller } from '@chat/api';

export type RequireUsers = (ids: string[], meta: RequestMeta) => Promise<void>;

/** Throws NOT_FOUND (saying how many) unless every id is a registered user (asks the user worker). */
export const requireUsersVia =
  (rpc: RpcCaller): RequireUsers =>
  async (ids, meta) => {
    if (ids.length === 0) return;
    const { userIds } = await rpc('user.existing', { userIds: ids }, meta);
    const known = new Set(userIds);
    const unknown = ids.filter((id) => !known.has(id)).length;
    if (unknown > 0)
      throw new AppError(
        'NOT_FOUND',
        unknown === 1
          ? '1 of those users does not exist'
          : `${unknown} of those users do not exist`,
      );
  };
