import type { MiddlewareObj, Request } from '@middy/core';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import * as z from 'zod/mini';
import type * as zc from 'zod/v4/core';
import { ClientTypeNotAllowedError, DeviceNotTrustedError } from '../domain/devices/errors';
import { type Device, effectiveStatus } from '../domain/devices/model';
import { ForbiddenError } from '../domain/errors';
import type { CallerIdentity, User } from '../domain/users/model';
import { logger, metrics } from '../observability';
import { deviceCredential } from './device-cookie';
import {
  type FieldIssue,
  invalidJson,
  payloadTooLarge,
  routeNotFound,
  toErrorResponse,
  unauthorized,
  unsupportedMediaType,
  validationFailed,
} from './errors';
import { recordRequestMetrics } from './outcome-metrics';
import type { Route, RouteSpec } from './routes';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** What the middlewares learn about a request, for the route implementation. */
export interface RequestState {
  route?: Route;
  params: unknown;
  query: unknown;
  body: unknown;
  caller?: User;
  /** The calling device, on `device` and `trusted` routes. */
  device?: Device;
  startedAt: number;
}

export type LatchkeyContext = Context & { latchkey: RequestState };
export type HttpRequest = Request<HttpEvent, HttpResult, Error, LatchkeyContext>;
type HttpMiddleware = MiddlewareObj<HttpEvent, HttpResult, Error, LatchkeyContext>;

/** Every function response, success or error (API Gateway's own 401/429 cannot carry these). */
const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function jsonResponse(status: number, body: unknown): HttpResult {
  const retryAfter = (body as { retryAfter?: unknown } | undefined)?.retryAfter;
  return {
    statusCode: status,
    headers: {
      ...JSON_HEADERS,
      ...(typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : {}),
    },
    body: JSON.stringify(body),
  };
}

/**
 * Registered first, so its `after` and `onError` run last: maps any error to the error format and
 * writes the one access-log line per request (route, status, duration, request id; never bodies).
 */
export function responseFinalizer(): HttpMiddleware {
  const log = (request: HttpRequest, error?: string) => {
    const state = request.context.latchkey;
    const durationMs = Math.round((performance.now() - state.startedAt) * 100) / 100;
    const status = request.response?.statusCode ?? 500;
    logger.info('request', {
      route: request.event.routeKey,
      status,
      durationMs,
      requestId: request.event.requestContext?.requestId,
      ...(state.caller ? { userId: state.caller.id, workspaceId: state.caller.workspaceId } : {}),
    });
    // The invocation's metrics are flushed by the telemetry wrapper (`logMetrics`).
    recordRequestMetrics({
      routeId: state.route?.id,
      group: state.route?.group ?? 'unmatched',
      status,
      durationMs,
      error,
      response: () => JSON.parse(request.response?.body ?? 'null'),
      body: state.body,
    });
  };
  return {
    before: (request) => {
      request.context.latchkey = { params: {}, query: {}, body: undefined, startedAt: performance.now() };
    },
    after: (request) => log(request),
    onError: (request) => {
      const mapped = toErrorResponse(request.error);
      const requestId = request.event.requestContext?.requestId;
      if (mapped.unexpected) {
        logger.error('unexpected error', { error: request.error as Error, requestId });
        metrics.addMetric('UnexpectedErrors', 'Count', 1);
      }
      request.response = jsonResponse(
        mapped.status,
        mapped.unexpected ? { ...mapped.body, requestId } : mapped.body,
      );
      log(request, (mapped.body as { error?: string }).error);
    },
  };
}

/** Finds the manifest entry for `event.routeKey` among the group's routes; anything else is 404. */
export function routeResolver(groupRoutes: readonly Route[]): HttpMiddleware {
  const byKey = new Map(groupRoutes.map((route) => [`${route.method} ${route.path}`, route]));
  return {
    before: (request) => {
      const route = byKey.get(request.event.routeKey);
      if (!route) throw routeNotFound();
      request.context.latchkey.route = route;
    },
  };
}

function isJsonMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** Size limit first (nothing is decoded past it), then media type, then JSON.parse. */
export function jsonBodyParser(options: { maxBytes: number }): HttpMiddleware {
  return {
    before: (request) => {
      const { event } = request;
      const route: RouteSpec | undefined = request.context.latchkey.route;
      if (!route?.body || event.body === undefined || event.body === '') return;
      const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
      if (raw.byteLength > options.maxBytes) throw payloadTooLarge(options.maxBytes);
      if (!isJsonMediaType(event.headers?.['content-type'])) throw unsupportedMediaType();
      try {
        request.context.latchkey.body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw invalidJson();
      }
    },
  };
}

function issues(where: string, error: zc.$ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

/** Validates path, query and body against the route's zod schemas (built once, at module load). */
export function requestValidator(): HttpMiddleware {
  return {
    before: (request) => {
      const state = request.context.latchkey;
      const route: RouteSpec | undefined = state.route;
      if (!route) return;
      const found: FieldIssue[] = [];
      const check = (where: string, schema: zc.$ZodType | undefined, input: unknown) => {
        if (!schema) return input;
        const result = z.safeParse(schema, input);
        if (result.success) return result.data;
        found.push(...issues(where, result.error));
        return undefined;
      };
      state.params = check('params', route.params, request.event.pathParameters ?? {});
      state.query = check('query', route.query, request.event.queryStringParameters ?? {});
      state.body = check('body', route.body, state.body);
      if (found.length > 0) throw validationFailed(found);
    },
  };
}

type ClaimValue = string | number | boolean | string[] | undefined;

function claimString(value: ClaimValue): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Reads the caller from the JWT claims API Gateway verified. Missing essentials -> 401. */
export function identityFromClaims(
  claims: Record<string, ClaimValue> | undefined,
  workspaceClaim: string,
): CallerIdentity {
  const issuer = claimString(claims?.iss);
  const subject = claimString(claims?.sub);
  const email = claimString(claims?.email);
  const workspaceName = claimString(claims?.[workspaceClaim]);
  if (!issuer || !subject || !email || !workspaceName) throw unauthorized();
  const name =
    claimString(claims?.name) ??
    [claimString(claims?.given_name), claimString(claims?.family_name)].filter(Boolean).join(' ');
  // API Gateway hands claims over as strings; the dev IdP and Cognito assert a verified email as `true`.
  const emailVerified = claims?.email_verified === true || claims?.email_verified === 'true';
  const objectId = claimString(claims?.oid);
  return {
    issuer,
    subject,
    email,
    workspaceName,
    name: name || email,
    emailVerified,
    ...(objectId ? { objectId } : {}),
  };
}

export { DEVICE_HEADER } from './device-cookie';

/** What an identity-confirmation check sees of a request on a route that declares `confirm`. */
export interface ConfirmationRequest {
  caller: User;
  device: Device | undefined;
  route: Route;
  /** Validated path parameters: the resource the action is on. */
  params: unknown;
  /** The validated body (where `route.confirmBinds` finds a body-named resource). */
  body?: unknown;
  event: HttpEvent;
}

export interface AuthOptions {
  workspaceClaim: string;
  resolveCaller?: (identity: CallerIdentity) => Promise<User>;
  authenticateDevice?: (caller: User, credential: string | undefined) => Promise<Device>;
  /** Throws (e.g. 403 identity_confirmation_required) unless the request carries a valid confirmation. */
  confirm?: (request: ConfirmationRequest) => Promise<void>;
  now?: () => Date;
}

/** For every non-public route: the user behind the token, provisioned just in time. */
export function authContext(options: AuthOptions): HttpMiddleware {
  return {
    before: async (request) => {
      const state = request.context.latchkey;
      if (!state.route || state.route.auth === 'public' || state.route.auth === 'idp') return;
      const identity = identityFromClaims(
        request.event.requestContext?.authorizer?.jwt?.claims,
        options.workspaceClaim,
      );
      if (!options.resolveCaller) throw new Error(`route ${state.route.id} needs a caller resolver`);
      const caller = await options.resolveCaller(identity);
      state.caller = caller;
      logger.appendKeys({ userId: caller.id });
      const route: RouteSpec = state.route;
      if (route.auth === 'device' || route.auth === 'trusted') {
        if (!options.authenticateDevice)
          throw new Error(`route ${state.route.id} needs a device authenticator`);
        const device = await options.authenticateDevice(caller, deviceCredential(request.event));
        const status = effectiveStatus(device, options.now?.() ?? new Date());
        if (route.auth === 'trusted' && status !== 'trusted') throw new DeviceNotTrustedError(status);
        state.device = device;
        logger.appendKeys({ deviceId: device.id });
      } else if (route.optionalDevice) {
        // The header or the cookie (with its CSRF header): a web client reads /v1/me before trust too.
        const credential = deviceCredential(request.event);
        if (credential !== undefined) {
          if (!options.authenticateDevice)
            throw new Error(`route ${state.route.id} needs a device authenticator`);
          state.device = await options.authenticateDevice(caller, credential);
          logger.appendKeys({ deviceId: state.device.id });
        }
      }
      // Function-level checks come from the manifest, so no route can forget them.
      if (route.clientTypes && !(state.device && route.clientTypes.includes(state.device.clientType))) {
        throw new ClientTypeNotAllowedError(route.clientTypes);
      }
      if (route.roles && !route.roles.includes(caller.workspaceRole)) {
        throw new ForbiddenError('Your workspace role does not allow this.');
      }
      if (route.confirm) {
        if (!options.confirm) throw new Error(`route ${state.route.id} needs an identity-confirmation check`);
        await options.confirm({
          caller,
          device: state.device,
          route: state.route,
          params: state.params,
          body: state.body,
          event: request.event,
        });
      }
    },
  };
}
