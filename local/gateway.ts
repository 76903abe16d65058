import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { toErrorResponse, unauthorized, validationFailed } from '../shared/http/errors';
import type { HttpEvent } from '../shared/http/middleware';
import {
  bypassesJwtAuthorizer,
  DEFAULT_ROUTE_GROUP,
  DEFAULT_ROUTE_KEY,
  listRoutes,
  type Route,
  type RouteGroup,
} from '../shared/http/routes';
import type { DevIdp } from './dev-idp';

/** API Gateway HTTP API's own payload limit; the functions enforce the (smaller) configured one. */
export const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

export type GroupHandler = (event: HttpEvent, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** A route template compiled to a matcher: `/v1/devices/{id}` -> segments with named holes. */
interface CompiledRoute {
  route: Route;
  segments: string[];
}

function compile(route: Route): CompiledRoute {
  return { route, segments: route.path.split('/').filter(Boolean) };
}

function match(compiled: CompiledRoute, method: string, path: string): Record<string, string> | undefined {
  if (compiled.route.method !== method) return undefined;
  const parts = path.split('/').filter(Boolean);
  if (parts.length !== compiled.segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, segment] of compiled.segments.entries()) {
    const part = parts[index] ?? '';
    if (segment.startsWith('{') && segment.endsWith('}')) {
      try {
        params[segment.slice(1, -1)] = decodeURIComponent(part);
      } catch {
        return undefined;
      }
    } else if (segment !== part) {
      return undefined;
    }
  }
  return params;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function isTextual(contentType: string | undefined): boolean {
  if (!contentType) return true;
  return /^(text\/|application\/(json|[a-z.+-]*\+json|x-www-form-urlencoded|xml))/i.test(contentType);
}

function lambdaContext(functionName: string, requestId: string): Context {
  const deadline = Date.now() + 10_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'apigw-requestid': requestId });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, error: unknown, requestId: string): void {
  const mapped = toErrorResponse(error);
  sendJson(res, mapped.status, mapped.body, requestId);
}

const tokenRequest = z.strictObject({
  email: z.email(),
  name: z.string().min(1).max(200).optional(),
  workspace: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
    .optional(),
  lifetimeSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .optional(),
});

export interface GatewayOptions {
  idp: DevIdp;
  loadHandler: (group: RouteGroup) => Promise<GroupHandler>;
  /** Default token identity for an email the dev IdP does not know: name and workspace. */
  describeUser: (email: string) => { name: string; workspace: string };
  /** Extra local-only endpoints under `/_local/` (outboxes, simulators). */
  localRoutes?: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean>;
}

/**
 * Serves the route manifest as API Gateway's HTTP API would: verifies the JWT for non-public routes,
 * builds the payload v2 event (lower-case headers, routeKey, pathParameters, JWT claims) and invokes the
 * group's handler. Requests that match no route go to `$default`, like the real API.
 */
export function createGateway(options: GatewayOptions): Server {
  const compiled = listRoutes().map(compile);

  async function handleLocal(req: IncomingMessage, res: ServerResponse, path: string, requestId: string) {
    if (req.method === 'GET' && path === '/_local/.well-known/jwks.json') {
      return sendJson(res, 200, options.idp.jwks(), requestId);
    }
    if (req.method === 'POST' && path === '/_local/token') {
      const raw = await readBody(req, 64 * 1024);
      let json: unknown;
      try {
        json = raw.length ? JSON.parse(raw.toString('utf8')) : {};
      } catch {
        return sendJson(
          res,
          400,
          { error: 'invalid_json', message: 'The request body is not valid JSON.' },
          requestId,
        );
      }
      const parsed = tokenRequest.safeParse(json);
      if (!parsed.success) {
        const fields = parsed.error.issues.map((i) => ({
          field: ['body', ...i.path].join('.'),
          message: i.message,
        }));
        return sendError(res, validationFailed(fields), requestId);
      }
      const known = options.describeUser(parsed.data.email);
      const issued = await options.idp.issue({
        email: parsed.data.email,
        name: parsed.data.name ?? known.name,
        workspace: parsed.data.workspace ?? known.workspace,
        ...(parsed.data.lifetimeSeconds ? { lifetimeSeconds: parsed.data.lifetimeSeconds } : {}),
      });
      return sendJson(
        res,
        200,
        { token: issued.token, tokenType: 'Bearer', expiresIn: issued.expiresIn },
        requestId,
      );
    }
    if (options.localRoutes && (await options.localRoutes(req, res, path))) return;
    return sendJson(res, 404, { error: 'not_found', message: 'No such local route.' }, requestId);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname.startsWith('/_local/')) return handleLocal(req, res, url.pathname, requestId);

    let route: Route | undefined;
    let pathParameters: Record<string, string> | undefined;
    for (const candidate of compiled) {
      const params = match(candidate, method, url.pathname);
      if (params) {
        route = candidate.route;
        pathParameters = params;
        break;
      }
    }

    let claims: Record<string, string | number | boolean | string[]> | undefined;
    // SCIM routes carry the workspace's SCIM token, which the SCIM function checks (no JWT authorizer).
    if (route && !bypassesJwtAuthorizer(route.auth)) {
      const header = req.headers.authorization ?? '';
      const token = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : '';
      try {
        const payload = await options.idp.verify(token);
        // API Gateway hands claims to the function as strings.
        claims = Object.fromEntries(
          Object.entries(payload).map(([key, value]) => [
            key,
            typeof value === 'string' ? value : JSON.stringify(value),
          ]),
        );
      } catch {
        return sendError(res, unauthorized(), requestId);
      }
    }

    const body = await readBody(req, GATEWAY_MAX_BODY_BYTES);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && name !== 'cookie')
        headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    // API Gateway tells the function the scheme the client used (the GTR endpoint's own URL is its `aud`).
    headers['x-forwarded-proto'] ??= 'http';
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
    const routeKey = route ? `${route.method} ${route.path}` : DEFAULT_ROUTE_KEY;
    const now = new Date();
    const textual = isTextual(headers['content-type']);
    const event: HttpEvent = {
      version: '2.0',
      routeKey,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      ...(req.headers.cookie ? { cookies: req.headers.cookie.split(/;\s*/) } : {}),
      headers,
      ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        authorizer: { jwt: { claims: claims ?? {}, scopes: [] }, principalId: '', integrationLatency: 0 },
        domainName: headers.host ?? 'localhost',
        domainPrefix: 'localhost',
        http: {
          method,
          path: url.pathname,
          protocol: `HTTP/${req.httpVersion}`,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId,
        routeKey,
        stage: '$default',
        time: now.toISOString(),
        timeEpoch: now.getTime(),
      },
      ...(pathParameters && Object.keys(pathParameters).length ? { pathParameters } : {}),
      ...(body.length ? { body: body.toString(textual ? 'utf8' : 'base64') } : {}),
      isBase64Encoded: body.length > 0 && !textual,
    };
    const group = route ? route.group : DEFAULT_ROUTE_GROUP;
    const handler = await options.loadHandler(group);
    const result = await handler(event, lambdaContext(`latchkey-${group}`, randomUUID()));
    const responseHeaders: Record<string, string | string[]> = { 'apigw-requestid': requestId };
    for (const [name, value] of Object.entries(result.headers ?? {})) responseHeaders[name] = String(value);
    // Payload v2 returns cookies apart from the headers; API Gateway sends one Set-Cookie per entry.
    if (result.cookies?.length) responseHeaders['set-cookie'] = result.cookies;
    res.writeHead(result.statusCode ?? 200, responseHeaders);
    const out = result.body ?? '';
    res.end(result.isBase64Encoded ? Buffer.from(out, 'base64') : out);
  }

  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof BodyTooLarge) {
        return sendJson(
          res,
          413,
          { error: 'payload_too_large', message: 'The request body is larger than the gateway accepts.' },
          'local',
        );
      }
      console.error('[gateway] request failed', error);
      sendJson(res, 500, { error: 'internal', message: 'The local gateway failed.' }, 'local');
    });
  });
}
