import type { Context } from 'aws-lambda';
import { authenticateScimToken, type ScimTokenDeps } from '../domain/directory/scim-auth';
import { SCIM, SCIM_LIMITS, ScimError } from '../domain/directory/scim-model';
import {
  createGroup,
  createUser,
  deleteGroup,
  deleteUser,
  getGroup,
  getUser,
  type ListQuery,
  listGroups,
  listUsers,
  patchGroup,
  patchUser,
  replaceGroup,
  replaceUser,
  type ScimContext,
  type ScimDeps,
} from '../domain/directory/scim-use-cases';
import { logger } from '../observability';
import { count, DIMENSIONS, METRICS } from '../observability/metrics';
import { instrument } from '../observability/telemetry';
import type { HttpEvent, HttpResult } from './middleware';
import { routeKey } from './routes';
import { scimRoutes } from './routes/scim';
import { resourceTypes, schemas, serviceProviderConfig } from './scim-discovery';

const HEADERS = { 'content-type': 'application/scim+json; charset=utf-8', 'cache-control': 'no-store' };

function respond(status: number, body?: unknown, extra: Record<string, string> = {}): HttpResult {
  return {
    statusCode: status,
    headers: { ...HEADERS, ...extra },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
}

export function scimErrorResponse(error: ScimError): HttpResult {
  return respond(error.status, {
    schemas: [SCIM.error],
    status: String(error.status),
    ...(error.scimType ? { scimType: error.scimType } : {}),
    detail: error.message,
  });
}

function parseBody(event: HttpEvent): unknown {
  if (!event.body) throw new ScimError(400, 'A request body is required.', 'invalidSyntax');
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.byteLength > SCIM_LIMITS.maxBodyBytes) {
    throw new ScimError(413, `The body is larger than ${SCIM_LIMITS.maxBodyBytes} bytes.`);
  }
  const type = (event.headers?.['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/scim+json' && type !== 'application/json') {
    throw new ScimError(415, 'Send application/scim+json (or application/json).', 'invalidSyntax');
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ScimError(400, 'The body is not valid JSON.', 'invalidSyntax');
  }
}

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new ScimError(400, `${name} must be an integer.`, 'invalidValue');
  return parsed;
}

function listQuery(query: Record<string, string | undefined>): ListQuery {
  // RFC 7644 3.4.2.4: startIndex below 1 is 1; count below 0 is 0; above the maximum, the maximum.
  const startIndex = Math.max(1, positive(query.startIndex, 1, 'startIndex'));
  const count = Math.min(
    SCIM_LIMITS.maxPageSize,
    Math.max(0, positive(query.count, SCIM_LIMITS.defaultPageSize, 'count')),
  );
  return { ...(query.filter ? { filter: query.filter } : {}), startIndex, count };
}

const ALWAYS_RETURNED = new Set(['id', 'schemas']);

/** `attributes` / `excludedAttributes` (RFC 7644 3.4.2.5) on one resource; sub-attributes by dotted name. */
export function project(resource: Record<string, unknown>, attributes: string[], excluded: string[]) {
  const lower = (names: string[]) => names.map((name) => name.trim().toLowerCase()).filter(Boolean);
  const keep = lower(attributes);
  const drop = lower(excluded);
  const entries = Object.entries(resource).filter(([key]) => {
    const name = key.toLowerCase();
    if (ALWAYS_RETURNED.has(key)) return true;
    if (keep.length)
      return keep.some(
        (wanted) => wanted === name || wanted.startsWith(`${name}.`) || wanted.startsWith(`${name}:`),
      );
    return !drop.includes(name);
  });
  return Object.fromEntries(
    entries.map(([key, value]) => {
      const name = key.toLowerCase();
      const subs = keep
        .filter((wanted) => wanted.startsWith(`${name}.`))
        .map((wanted) => wanted.slice(name.length + 1));
      if (subs.length && value && typeof value === 'object' && !Array.isArray(value)) {
        return [
          key,
          Object.fromEntries(Object.entries(value).filter(([sub]) => subs.includes(sub.toLowerCase()))),
        ];
      }
      return [key, value];
    }),
  );
}

const split = (value: string | undefined) => (value ? value.split(',') : []);

export interface ScimHandlerDeps extends ScimDeps {
  token: ScimTokenDeps;
  /** The public base URL of `/scim/v2` (for `meta.location`), else derived from the request's API id. */
  baseUrl?: string | undefined;
}

type Handler = (context: ScimContext, event: HttpEvent, deps: ScimHandlerDeps) => Promise<HttpResult>;

const id = (event: HttpEvent) => event.pathParameters?.id ?? '';
const query = (event: HttpEvent) => (event.queryStringParameters ?? {}) as Record<string, string | undefined>;

function listed(body: { Resources: Record<string, unknown>[] }, event: HttpEvent) {
  const q = query(event);
  return {
    ...body,
    Resources: body.Resources.map((resource) =>
      project(resource, split(q.attributes), split(q.excludedAttributes)),
    ),
  };
}

function single(resource: Record<string, unknown>, event: HttpEvent) {
  const q = query(event);
  return project(resource, split(q.attributes), split(q.excludedAttributes));
}

const HANDLERS: Record<keyof typeof scimRoutes, Handler> = {
  scimServiceProviderConfig: async (context) => respond(200, serviceProviderConfig(context.baseUrl)),
  scimResourceTypes: async (context) => respond(200, resourceTypes(context.baseUrl)),
  scimSchemas: async () => respond(200, schemas()),
  scimListUsers: async (context, event, deps) =>
    respond(200, listed(await listUsers(context, listQuery(query(event)), deps), event)),
  scimCreateUser: async (context, event, deps) => {
    const user = await createUser(context, parseBody(event), deps);
    return respond(201, user, { location: String((user.meta as { location: string }).location) });
  },
  scimGetUser: async (context, event, deps) =>
    respond(200, single(await getUser(context, id(event), deps), event)),
  scimReplaceUser: async (context, event, deps) =>
    respond(200, await replaceUser(context, id(event), parseBody(event), deps)),
  scimPatchUser: async (context, event, deps) =>
    respond(200, await patchUser(context, id(event), parseBody(event), deps)),
  scimDeleteUser: async (context, event, deps) => {
    await deleteUser(context, id(event), deps);
    return respond(204);
  },
  scimListGroups: async (context, event, deps) =>
    respond(
      200,
      listed(
        await listGroups(context, listQuery(query(event)), split(query(event).excludedAttributes), deps),
        event,
      ),
    ),
  scimCreateGroup: async (context, event, deps) => {
    const group = await createGroup(context, parseBody(event), deps);
    return respond(201, group, { location: String((group.meta as { location: string }).location) });
  },
  scimGetGroup: async (context, event, deps) =>
    respond(
      200,
      single(await getGroup(context, id(event), split(query(event).excludedAttributes), deps), event),
    ),
  scimReplaceGroup: async (context, event, deps) =>
    respond(200, await replaceGroup(context, id(event), parseBody(event), deps)),
  scimPatchGroup: async (context, event, deps) => {
    await patchGroup(context, id(event), parseBody(event), deps);
    return respond(204);
  },
  scimDeleteGroup: async (context, event, deps) => {
    await deleteGroup(context, id(event), deps);
    return respond(204);
  },
};

const BY_KEY = new Map(
  (Object.keys(scimRoutes) as (keyof typeof scimRoutes)[]).map((routeId) => [
    routeKey(scimRoutes[routeId]),
    HANDLERS[routeId],
  ]),
);

/**
 * The SCIM function: token first (401 before anything else), then the route. Every failure a client
 * can cause answers with the SCIM error schema; anything else is a logged 500 without details.
 * The token is never logged: only the route, status and workspace.
 */
export function createScimHandler(deps: ScimHandlerDeps) {
  return instrument(async (event: HttpEvent, _context?: Context): Promise<HttpResult> => {
    const started = performance.now();
    let workspaceId: string | undefined;
    let result: HttpResult;
    try {
      const route = BY_KEY.get(event.routeKey);
      if (!route) throw new ScimError(404, 'No such SCIM endpoint.');
      ({ workspaceId } = await authenticateScimToken(event.headers?.authorization, deps.token));
      const host = event.requestContext.domainName;
      const scheme = /^(localhost|127\.0\.0\.1)(:\d+)?$/.test(host) ? 'http' : 'https';
      const baseUrl = deps.baseUrl ?? `${scheme}://${host}/scim/v2`;
      result = await route({ workspaceId, baseUrl }, event, deps);
    } catch (error) {
      if (error instanceof ScimError) {
        result = scimErrorResponse(error);
      } else {
        logger.error('unexpected SCIM error', {
          error: error as Error,
          requestId: event.requestContext?.requestId,
        });
        result = scimErrorResponse(new ScimError(500, 'Internal error.'));
      }
    }
    logger.info('scim request', {
      route: event.routeKey,
      status: result.statusCode,
      workspaceId,
      durationMs: Math.round(performance.now() - started),
      requestId: event.requestContext?.requestId,
    });
    const status = result.statusCode ?? 500;
    const outcome = status < 400 ? 'success' : status < 500 ? 'client_error' : 'server_error';
    count(METRICS.scimRequests, { [DIMENSIONS.outcome]: outcome });
    return result;
  });
}
