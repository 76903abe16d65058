import type * as zc from 'zod/v4/core';
import type { WorkspaceRole } from '../domain/users/model';
import { healthResponse, meResponse, updateMeBody } from './schemas';

/**
 * The route manifest: the single source of truth for every HTTP route. The CDK app creates one API
 * Gateway route per entry and one function per group, the local gateway serves the same entries, the
 * middleware enforces their auth level, and `docs/openapi.json` is generated from them.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** `public`: no token. `user`: a valid IdP token. `trusted`: plus a trusted device. `scim`: SCIM bearer. */
export type AuthLevel = 'public' | 'user' | 'trusted' | 'scim';
export type ClientType = 'web' | 'extension' | 'mobile';

export const ROUTE_GROUPS = ['system', 'users'] as const;
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
