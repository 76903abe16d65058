import * as z from 'zod/mini';
import { USER_STATUSES, WORKSPACE_ROLES } from '../../domain/users/model';
import type { RouteSpec } from '../route-spec';
import { meResponse, userIdParams } from '../schemas';

const userSearchQuery = z.strictObject({
  q: z.optional(z.string().check(z.trim(), z.maxLength(100))),
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
});

/** The workspace directory for people: the sharing picker and workspace roles. */
export const directoryRoutes = {
  searchUsers: {
    method: 'GET',
    path: '/v1/users',
    group: 'directory',
    auth: 'trusted',
    roles: ['owner', 'super_admin', 'admin', 'user'],
    summary:
      'Users of your workspace for the sharing picker (`q`: email or name prefix), never guests or login-only users.',
    status: 200,
    query: userSearchQuery,
    response: z.object({
      items: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          email: z.string(),
          workspaceRole: z.enum(WORKSPACE_ROLES),
          status: z.enum(USER_STATUSES),
        }),
      ),
      nextCursor: z.nullable(z.string()),
    }),
    errors: ['forbidden', 'invalid_cursor'],
  },
  setUserRole: {
    method: 'PUT',
    path: '/v1/users/{userId}/role',
    group: 'directory',
    auth: 'trusted',
    clientTypes: ['web'],
    roles: ['owner', 'super_admin', 'admin'],
    summary: "Changes a user's workspace role; only an owner grants owner, the last owner stays.",
    status: 200,
    params: userIdParams,
    body: z.strictObject({ role: z.enum(WORKSPACE_ROLES) }),
    response: meResponse,
    errors: ['forbidden', 'last_owner', 'conflict'],
  },
} as const satisfies Record<string, RouteSpec>;
