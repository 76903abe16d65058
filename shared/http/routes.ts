import type { RouteGroup, RouteSpec } from './route-spec';
import { accountsRoutes } from './routes/accounts';
import { coreRoutes } from './routes/core';
import { devicesRoutes } from './routes/devices';
import { directoryRoutes } from './routes/directory';
import { identityRoutes } from './routes/identity';
import { logoutRoutes } from './routes/logout';
import { notificationsRoutes } from './routes/notifications';
import { phoneRoutes } from './routes/phone';
import { rotationRoutes } from './routes/rotation';
import { scimRoutes } from './routes/scim';
import { secretsRoutes } from './routes/secrets';
import { shareLinksRoutes } from './routes/share-links';
import { teamsRoutes } from './routes/teams';

export * from './route-spec';

/**
 * The route manifest: the single source of truth for every HTTP route. The CDK app creates one API
 * Gateway route per entry and one function per group, the local gateway serves the same entries, the
 * middleware enforces their auth level, and `docs/openapi.json` is generated from them. Each context
 * keeps its entries in `routes/<context>.ts`.
 */
export const routes = {
  ...coreRoutes,
  ...directoryRoutes,
  ...devicesRoutes,
  ...notificationsRoutes,
  ...identityRoutes,
  ...accountsRoutes,
  ...phoneRoutes,
  ...scimRoutes,
  ...teamsRoutes,
  ...secretsRoutes,
  ...shareLinksRoutes,
  ...rotationRoutes,
  ...logoutRoutes,
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
