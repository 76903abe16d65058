import type { RouteSpec } from '../route-spec';
import { healthResponse, meResponse, updateMeBody, userIdParams } from '../schemas';

/** Health, the caller, and user administration. */
export const coreRoutes = {
  health: {
    method: 'GET',
    path: '/v1/health',
    group: 'system',
    auth: 'public',
    summary: 'Liveness check; touches no database.',
    status: 200,
    response: healthResponse,
  },
  getMe: {
    method: 'GET',
    path: '/v1/me',
    group: 'users',
    auth: 'user',
    summary:
      "The caller's user, provisioned just in time on the first call. With a device credential (any " +
      'status, even not trusted yet) it also says whether this session is trusted.',
    optionalDevice: true,
    status: 200,
    response: meResponse,
    errors: ['user_deprovisioned'],
  },
  updateMe: {
    method: 'PATCH',
    path: '/v1/me',
    group: 'users',
    auth: 'user',
    summary: "Changes the caller's display name (the IdP's name is only the first value).",
    status: 200,
    body: updateMeBody,
    response: meResponse,
    errors: ['user_deprovisioned'],
  },
  deprovisionUser: {
    method: 'POST',
    path: '/v1/users/{userId}/deprovision',
    group: 'users',
    auth: 'trusted',
    clientTypes: ['web'],
    roles: ['owner', 'super_admin', 'admin'],
    summary: 'Deprovisions a user of your workspace and disables all their devices at once.',
    status: 200,
    params: userIdParams,
    response: meResponse,
    errors: ['forbidden', 'last_owner'],
  },
} as const satisfies Record<string, RouteSpec>;
