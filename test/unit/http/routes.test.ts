import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { buildOpenApi } from '../../../shared/http/openapi';
import { siblingVariableConflicts } from '../../../shared/http/path-variables';
import { listRoutes, ROUTE_GROUPS, type RouteSpec, routeKey } from '../../../shared/http/routes';

const routes = listRoutes() as Array<RouteSpec & { id: string }>;

describe('route manifest', () => {
  it('never names one path position with two different variables (API Gateway refuses the deploy)', () => {
    expect(siblingVariableConflicts(routes.map((route) => route.path))).toEqual([]);
  });

  it('catches sibling variables with different names, at any depth, and accepts the same name', () => {
    expect(siblingVariableConflicts(['/v1/users/{userId}/x', '/v1/users/{id}/y'])).toEqual([
      '/v1/users/{id}/y names {id} where /v1/users/{userId}/x names {userId}',
    ]);
    expect(siblingVariableConflicts(['/v1/a/{id}/b/{x}', '/v1/a/{id}/b/{y}/c'])).toHaveLength(1);
    expect(siblingVariableConflicts(['/v1/a/{id}', '/v1/a/{id}/b', '/v1/b/{other}'])).toEqual([]);
  });

  it('has one entry per method and path', () => {
    const keys = routes.map(routeKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('puts every route in a known group', () => {
    for (const route of routes) expect(ROUTE_GROUPS).toContain(route.group);
  });

  it('declares a params schema exactly for the path parameters of its template', () => {
    for (const route of routes) {
      const templateParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const schema = route.params ? (z.toJSONSchema(route.params) as { properties?: object }) : undefined;
      const declared = Object.keys(schema?.properties ?? {}).sort();
      expect(declared, route.id).toEqual(templateParams);
    }
  });

  it('keeps notification preferences from login-only users and guests, and numbers to the web app', () => {
    const byId = Object.fromEntries(routes.map((route) => [route.id, route]));
    for (const id of ['getMyNotificationPreferences', 'updateMyNotificationPreferences']) {
      expect(byId[id]?.roles, id).toEqual(['owner', 'super_admin', 'admin', 'user']);
    }
    expect(byId.provisionPhone?.clientTypes).toEqual(['web']);
  });

  it('versions every path under /v1, SCIM under /scim/v2', () => {
    for (const route of routes)
      expect(route.path).toMatch(route.auth === 'scim' ? /^\/scim\/v2\// : /^\/v1\//);
  });
});

describe('docs/openapi.json', () => {
  it('matches the manifest (run `npm run openapi` after changing routes)', () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const committed = JSON.parse(readFileSync('docs/openapi.json', 'utf8'));

    expect(committed).toEqual(JSON.parse(JSON.stringify(buildOpenApi(version))));
  });

  it('documents every route with its operation id and the shared error schema', () => {
    const document = buildOpenApi('test');
    for (const route of routes) {
      const operation = (document.paths[route.path] as Record<string, { operationId: string }>)[
        route.method.toLowerCase()
      ];
      expect(operation?.operationId).toBe(route.id);
    }
    expect(document.components.schemas).toHaveProperty('Error');
    expect(document.components.schemas).toHaveProperty('User');
  });
});
