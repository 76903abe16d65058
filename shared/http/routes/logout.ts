import * as z from 'zod/mini';
import type { RouteSpec } from '../route-spec';
import { listQuery, userIdParams } from '../schemas';

const ADMINS = ['owner', 'super_admin', 'admin'] as const;
const id = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[\w-]+$/, 'must be an id'));

const rotationReport = z.object({
  queued: z.array(z.object({ accountId: z.string(), rotationId: z.string() })),
  inProgress: z.array(z.object({ accountId: z.string(), rotationId: z.optional(z.string()) })),
  rotateByHand: z.array(z.object({ accountId: z.string(), appName: z.string() })),
});

const rotateByHandEntry = z.object({
  accountId: z.string(),
  appName: z.string(),
  userIds: z.array(z.string()),
  triggers: z.array(z.enum(['universal_logout', 'deprovisioning'])),
  firstListedAt: z.string(),
  lastListedAt: z.string(),
});

/**
 * Universal logout (issue 16): the admin route, the IdP-initiated Global Token Revocation request (its
 * own auth level: a JWT signed by the workspace's IdP, checked by the route, no JWT authorizer), and
 * the "rotate by hand" list of accounts no connector can rotate.
 */
export const logoutRoutes = {
  universalLogout: {
    method: 'POST',
    path: '/v1/users/{userId}/universal-logout',
    group: 'logout',
    auth: 'trusted',
    clientTypes: ['web'],
    roles: ADMINS,
    confirm: 'user.universal_logout',
    summary:
      "Ends all the user's sessions (every device must be trusted again) and rotates the supported accounts they received login grants for since their last rotation.",
    status: 200,
    params: userIdParams,
    response: z.object({
      userId: z.string(),
      devicesSignedOut: z.number(),
      rotations: rotationReport,
    }),
    errors: ['forbidden', 'identity_confirmation_required', 'no_confirmation_method', 'too_many_challenges'],
  },
  globalTokenRevocation: {
    method: 'POST',
    path: '/v1/workspaces/{workspaceId}/global-token-revocation',
    group: 'logout',
    auth: 'idp',
    summary:
      "The IdP's Universal Logout (Global Token Revocation): `sub_id` by `email` or `iss_sub`, authenticated by a JWT the workspace's IdP signed. 204 also for an unknown subject.",
    status: 204,
    params: z.strictObject({ workspaceId: id }),
    body: z.object({
      sub_id: z.looseObject({ format: z.string().check(z.minLength(1), z.maxLength(40)) }),
    }),
    response: z.null(),
    errors: ['invalid_token', 'unsupported_subject_format', 'invalid_subject', 'jwks_unavailable'],
  },
  listRotateByHand: {
    method: 'GET',
    path: '/v1/workspace/rotate-by-hand',
    group: 'logout',
    auth: 'trusted',
    clientTypes: ['web'],
    roles: ADMINS,
    summary:
      'Accounts whose password someone who left (or was logged out) knew, and that no connector can rotate: rotate them at the app, then clear them.',
    status: 200,
    query: listQuery,
    response: z.object({ items: z.array(rotateByHandEntry), nextCursor: z.nullable(z.string()) }),
    errors: ['forbidden', 'invalid_cursor'],
  },
  clearRotateByHand: {
    method: 'DELETE',
    path: '/v1/workspace/rotate-by-hand/{accountId}',
    group: 'logout',
    auth: 'trusted',
    clientTypes: ['web'],
    roles: ADMINS,
    summary: 'Takes an account off the rotate-by-hand list (its password was changed by hand).',
    status: 200,
    params: z.strictObject({ accountId: id }),
    response: z.object({ deleted: z.literal(true) }),
    errors: ['forbidden'],
  },
} as const satisfies Record<string, RouteSpec>;
