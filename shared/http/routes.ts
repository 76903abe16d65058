import type * as zc from 'zod/v4/core';
import type { ClientType } from '../domain/devices/model';
import type { WorkspaceRole } from '../domain/users/model';
import {
  deviceListResponse,
  deviceResponse,
  healthResponse,
  idParams,
  listQuery,
  meResponse,
  notificationListResponse,
  preferencesBody,
  preferencesResponse,
  pushRegistrationBody,
  pushRegistrationResponse,
  registerDeviceBody,
  registerDeviceResponse,
  renameDeviceBody,
  updateMeBody,
  userIdParams,
  verificationResponse,
  verifyDeviceBody,
  workspaceSettingsBody,
  workspaceSettingsResponse,
} from './schemas';

/**
 * The route manifest: the single source of truth for every HTTP route. The CDK app creates one API
 * Gateway route per entry and one function per group, the local gateway serves the same entries, the
 * middleware enforces their auth level, and `docs/openapi.json` is generated from them.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/**
 * `public`: no token. `user`: a valid IdP token. `device`: plus the credential of one of the caller's
 * registered devices, whatever its status. `trusted`: plus a trusted device. `scim`: SCIM bearer.
 */
export type AuthLevel = 'public' | 'user' | 'device' | 'trusted' | 'scim';

export const ROUTE_GROUPS = ['system', 'users', 'devices', 'notifications', 'push'] as const;
export type RouteGroup = (typeof ROUTE_GROUPS)[number];

export interface RouteSpec {
  method: HttpMethod;
  /** API Gateway path syntax: `/v1/devices/{id}`. */
  path: string;
  group: RouteGroup;
  auth: AuthLevel;
  summary: string;
  /** Success status code. */
  status: number;
  clientTypes?: readonly ClientType[];
  roles?: readonly WorkspaceRole[];
  /** Identity-confirmation action required before the route runs. */
  confirm?: string;
  params?: zc.$ZodType;
  query?: zc.$ZodType;
  body?: zc.$ZodType;
  response: zc.$ZodType;
  /** Error codes this route may answer besides the common ones. */
  errors?: readonly string[];
}

export const routes = {
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
    summary: "The caller's user, provisioned just in time on the first call.",
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
    errors: ['forbidden'],
  },
  registerDevice: {
    method: 'POST',
    path: '/v1/devices',
    group: 'devices',
    auth: 'user',
    summary: 'Registers the calling client as a device; the credential comes back once.',
    status: 201,
    body: registerDeviceBody,
    response: registerDeviceResponse,
    errors: ['device_limit_reached', 'device_name_taken'],
  },
  getCurrentDevice: {
    method: 'GET',
    path: '/v1/devices/current',
    group: 'devices',
    auth: 'device',
    summary: 'The calling device and its status (a pending device polls this).',
    status: 200,
    response: deviceResponse,
  },
  listDevices: {
    method: 'GET',
    path: '/v1/devices',
    group: 'devices',
    auth: 'trusted',
    summary: "The caller's devices, pending approvals first.",
    status: 200,
    response: deviceListResponse,
  },
  verifyDevice: {
    method: 'POST',
    path: '/v1/devices/{id}/verify',
    group: 'devices',
    auth: 'device',
    summary: 'The pending device proves the emailed 6-digit code.',
    status: 200,
    params: idParams,
    body: verifyDeviceBody,
    response: deviceResponse,
    errors: ['invalid_code', 'too_many_attempts', 'code_expired', 'not_pending'],
  },
  resendDeviceCode: {
    method: 'POST',
    path: '/v1/devices/{id}/resend-code',
    group: 'devices',
    auth: 'device',
    summary: 'Emails a fresh code (the old one dies): 60 s apart, 5 per hour.',
    status: 202,
    params: idParams,
    response: verificationResponse,
    errors: ['resend_too_soon', 'resend_limit_reached', 'not_pending'],
  },
  approveDevice: {
    method: 'POST',
    path: '/v1/devices/{id}/approve',
    group: 'devices',
    auth: 'trusted',
    clientTypes: ['web', 'mobile'],
    summary: "Approves one of the caller's devices waiting for approval.",
    status: 200,
    params: idParams,
    response: deviceResponse,
    errors: ['not_pending', 'approval_expired'],
  },
  denyDevice: {
    method: 'POST',
    path: '/v1/devices/{id}/deny',
    group: 'devices',
    auth: 'trusted',
    clientTypes: ['web', 'mobile'],
    summary: "Denies one of the caller's devices waiting for approval.",
    status: 200,
    params: idParams,
    response: deviceResponse,
    errors: ['not_pending', 'approval_expired'],
  },
  disableDevice: {
    method: 'POST',
    path: '/v1/devices/{id}/disable',
    group: 'devices',
    auth: 'trusted',
    clientTypes: ['web'],
    summary: 'Disables a device: its next request is refused.',
    status: 200,
    params: idParams,
    response: deviceResponse,
  },
  renameDevice: {
    method: 'PATCH',
    path: '/v1/devices/{id}',
    group: 'devices',
    auth: 'trusted',
    clientTypes: ['web'],
    summary: 'Renames a device (names are unique per user, case-insensitively).',
    status: 200,
    params: idParams,
    body: renameDeviceBody,
    response: deviceResponse,
    errors: ['device_name_taken', 'device_inactive'],
  },
  getWorkspaceNotificationSettings: {
    method: 'GET',
    path: '/v1/workspace/notification-settings',
    group: 'notifications',
    auth: 'trusted',
    summary: "The workspace's notification types: enabled and enforced.",
    status: 200,
    response: workspaceSettingsResponse,
  },
  updateWorkspaceNotificationSettings: {
    method: 'PUT',
    path: '/v1/workspace/notification-settings',
    group: 'notifications',
    auth: 'trusted',
    clientTypes: ['web'],
    roles: ['owner', 'super_admin', 'admin'],
    summary: 'Enables, disables or enforces some notification types; others keep their values.',
    status: 200,
    body: workspaceSettingsBody,
    response: workspaceSettingsResponse,
    errors: ['forbidden'],
  },
  getMyNotificationPreferences: {
    method: 'GET',
    path: '/v1/me/notification-preferences',
    group: 'notifications',
    auth: 'trusted',
    summary: "The caller's preferences per type, with what the workspace allows.",
    status: 200,
    response: preferencesResponse,
  },
  updateMyNotificationPreferences: {
    method: 'PUT',
    path: '/v1/me/notification-preferences',
    group: 'notifications',
    auth: 'trusted',
    clientTypes: ['mobile'],
    summary: 'Turns types on or off for the caller (managed in the mobile app).',
    status: 200,
    body: preferencesBody,
    response: preferencesResponse,
    errors: ['preference_locked', 'type_disabled'],
  },
  listMyNotifications: {
    method: 'GET',
    path: '/v1/me/notifications',
    group: 'notifications',
    auth: 'trusted',
    summary: "The caller's notifications of the last 30 days, newest first, with outcomes.",
    status: 200,
    query: listQuery,
    response: notificationListResponse,
    errors: ['invalid_cursor'],
  },
  registerPush: {
    method: 'PUT',
    path: '/v1/devices/{id}/push-registration',
    group: 'push',
    auth: 'trusted',
    clientTypes: ['mobile'],
    summary: "Registers the calling mobile device's push token (APNs or FCM).",
    status: 200,
    params: idParams,
    body: pushRegistrationBody,
    response: pushRegistrationResponse,
  },
} as const satisfies Record<string, RouteSpec>;

export type RouteId = keyof typeof routes;
export type Route<Id extends RouteId = RouteId> = (typeof routes)[Id] & { id: Id };

/** `GET /v1/me`: the HTTP API's route key, which is also what a group handler dispatches on. */
export function routeKey(route: Pick<RouteSpec, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/** The catch-all route key: API Gateway sends every unmatched request here (answered `404 not_found`). */
export const DEFAULT_ROUTE_KEY = '$default';
/** The group whose function also serves `$default`. */
export const DEFAULT_ROUTE_GROUP: RouteGroup = 'system';

export function listRoutes(): Route[] {
  return (Object.keys(routes) as RouteId[]).map((id) => ({ ...routes[id], id }) as Route);
}

export function routesOfGroup(group: RouteGroup): Route[] {
  return listRoutes().filter((route) => route.group === group);
}
