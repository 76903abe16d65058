import type * as zc from 'zod/v4/core';
import type { User } from '../domain/users/model';
import type { userSchema } from './schemas';

/** Domain objects -> API representations. Only what the client may see, nothing stored-only. */
export function toUserView(user: User): zc.input<typeof userSchema> {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    workspaceId: user.workspaceId,
    workspaceRole: user.workspaceRole,
    status: user.status,
  };
}
