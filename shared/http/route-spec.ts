import type * as zc from 'zod/v4/core';
import type { ClientType } from '../domain/devices/model';
import type { WorkspaceRole } from '../domain/users/model';

/** The shape of a route manifest entry (see `routes.ts`). */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/**
 * `public`: no token. `user`: a valid IdP token. `device`: plus the credential of one of the caller's
 * registered devices, whatever its status. `trusted`: plus a trusted device. `scim`: SCIM bearer.
 * `idp`: a JWT the workspace's own IdP signed (Global Token Revocation), verified by the route
 * against the JWKS the workspace configured; no caller, no JWT authorizer.
 */
export type AuthLevel = 'public' | 'user' | 'device' | 'trusted' | 'scim' | 'idp';

/** Levels that carry no token of Latchkey's IdP: API Gateway's JWT authorizer stays off them. */
export function bypassesJwtAuthorizer(auth: AuthLevel): boolean {
  return auth === 'public' || auth === 'scim' || auth === 'idp';
}

export const ROUTE_GROUPS = [
  'system',
  'users',
  'devices',
  'notifications',
  'push',
  'identity',
  'accounts',
  'phone',
  'totp',
  'scim',
  'directory',
  'secrets',
  'attachments',
  'sharelinks',
  'logout',
] as const;
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
  /**
   * On a `user` route: a device credential, when one is sent, is checked (401 when invalid) and the
   * device, whatever its status, reaches the route ("remind me later" on a device not trusted yet).
   */
  optionalDevice?: boolean;
  clientTypes?: readonly ClientType[];
  roles?: readonly WorkspaceRole[];
  /** Identity-confirmation action required before the route runs. */
  confirm?: string;
  /**
   * Body fields (dotted paths) that name the object the action is on, for routes whose object is in
   * the body rather than the path: the confirmation is bound to them as well as to the path parameters.
   */
  confirmBinds?: readonly string[];
  params?: zc.$ZodType;
  query?: zc.$ZodType;
  body?: zc.$ZodType;
  response: zc.$ZodType;
  /** Error codes this route may answer besides the common ones. */
  errors?: readonly string[];
}
