import * as z from 'zod/mini';
import { LINK_METHODS } from '../../domain/directory/settings-model';
import { USER_STATUSES, WORKSPACE_ROLES } from '../../domain/users/model';
import { memberResponse } from '../account-schemas';
import type { RouteSpec } from '../route-spec';
import { idParams, meResponse, userIdParams } from '../schemas';

const userSearchQuery = z.strictObject({
  q: z.optional(z.string().check(z.trim(), z.maxLength(100))),
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
});

const domain = z
  .string()
  .check(
    z.trim(),
    z.toLowerCase(),
    z.maxLength(253),
    z.regex(
      /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
      'an email domain such as acme.example',
    ),
  );

const directorySettingsView = z.object({
  jitProvisioning: z.boolean(),
  allowedEmailDomains: z.array(z.string()),
  linkBy: z.enum(LINK_METHODS),
  source: z.enum(['legacy', 'bootstrap', 'admin']),
  updatedAt: z.string(),
  universalLogout: z.nullable(
    z.object({ issuer: z.string(), jwksUrl: z.string(), audience: z.optional(z.string()) }),
  ),
});

const orphanListQuery = z.strictObject({
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
});

const orphanedAccountView = z.object({
  accountId: z.string(),
  appName: z.string(),
  username: z.string(),
  orphanedAt: z.string(),
  formerOwners: z.array(
    z.object({ id: z.string(), name: z.string(), email: z.string(), status: z.enum(USER_STATUSES) }),
  ),
});
const httpUrl = z.url({ protocol: /^https?$/ }).check(z.maxLength(1024));

/** The workspace directory for people: the sharing picker, workspace roles, who may join. */
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
  getDirectorySettings: {
    method: 'GET',
    path: '/v1/workspace/directory',
    group: 'directory',
    auth: 'trusted',
    clientTypes: ['web'],
    roles: ['owner', 'super_admin', 'admin'],
    summary:
      'Who may join the workspace besides SCIM-provisioned users: just-in-time sign-ins from these email domains.',
    status: 200,
    response: z.object({ directory: directorySettingsView }),
    errors: ['forbidden'],
  },
  putDirectorySettings: {
    method: 'PUT',
    path: '/v1/workspace/directory',
    group: 'directory',
    auth: 'trusted',
    clientTypes: ['web'],
    roles: ['owner', 'super_admin', 'admin'],
    summary:
      'Sets just-in-time provisioning and its email domains, how first sign-ins link to SCIM users (`linkBy`), and the IdP allowed to send Universal Logout requests (`universalLogout`: issuer, JWKS URL, optional audience; null turns it off).',
    status: 200,
    body: z.strictObject({
      jitProvisioning: z.boolean(),
      allowedEmailDomains: z.array(domain).check(z.maxLength(50)),
      linkBy: z.optional(z.enum(LINK_METHODS)),
      universalLogout: z.optional(
        z.nullable(
          z.strictObject({
            issuer: z.string().check(z.minLength(1), z.maxLength(1024)),
            jwksUrl: httpUrl,
            audience: z.optional(httpUrl),
          }),
        ),
      ),
    }),
    response: z.object({ directory: directorySettingsView }),
    errors: ['forbidden', 'jwks_url_refused'],
  },
  listOrphanedAccounts: {
    method: 'GET',
    path: '/v1/workspace/orphaned-accounts',
    group: 'directory',
    auth: 'trusted',
    roles: ['owner', 'super_admin', 'admin'],
    summary:
      'Accounts whose owners were all deprovisioned (directly or through teams), so that an admin can name a new owner.',
    status: 200,
    query: orphanListQuery,
    response: z.object({ items: z.array(orphanedAccountView), nextCursor: z.nullable(z.string()) }),
    errors: ['forbidden', 'invalid_cursor'],
  },
  assignOrphanedAccountOwner: {
    method: 'PUT',
    path: '/v1/workspace/orphaned-accounts/{id}/owner',
    group: 'directory',
    auth: 'trusted',
    clientTypes: ['web'],
    roles: ['owner', 'super_admin', 'admin'],
    summary:
      'Names an active workspace user owner of an orphaned account; the account then leaves the orphaned list.',
    status: 200,
    params: idParams,
    body: userIdParams,
    response: memberResponse,
    errors: ['forbidden', 'role_not_allowed', 'account_not_orphaned', 'conflict'],
  },
} as const satisfies Record<string, RouteSpec>;
