import type { z } from 'zod';
import type { User } from '../domain/users/model';
import type { userSchema } from './schemas';

/** Domain objects -> API representations. Only what the client may see, nothing stored-only. */
export function toUserView(user: User): z.input<typeof userSchema> {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    workspaceId: user.workspaceId,
    workspaceRole: user.workspaceRole,
    status: user.status,
  };
}
