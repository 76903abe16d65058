import type * as zc from 'zod/v4/core';
import { type RouteId, routes } from './routes';

/**
 * One typed client for the route manifest: route id in, typed body out. The web app, the e2e and browser
 * tests and the scripts share it, so no caller writes a path or guesses a response shape. It imports only
 * the manifest and its zod schemas, which stay free of Node modules (a unit test bundles it for the
 * browser to keep it so).
 */

type Spec<Id extends RouteId> = (typeof routes)[Id];
type In<S, K extends string> =
  S extends Record<K, infer T> ? (T extends zc.$ZodType ? zc.input<T> : never) : never;

/** What a call needs: path parameters, query and body where the route declares them. */
export type CallInput<Id extends RouteId> = ([In<Spec<Id>, 'params'>] extends [never]
  ? { params?: undefined }
  : { params: In<Spec<Id>, 'params'> }) &
  ([In<Spec<Id>, 'query'>] extends [never] ? { query?: undefined } : { query?: In<Spec<Id>, 'query'> }) &
  ([In<Spec<Id>, 'body'>] extends [never] ? { body?: undefined } : { body: In<Spec<Id>, 'body'> }) & {
    /** Extra headers for this call only (e.g. `x-latchkey-confirmation`). */
    headers?: Record<string, string>;
  };

export type CallOutput<Id extends RouteId> = zc.output<Spec<Id>['response']>;

/** An error answer of the API: the stable `error` code, its `message`, and the rest of the body. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly body: Record<string, unknown>;
  constructor(status: number, body: Record<string, unknown>) {
    const message = typeof body.message === 'string' ? body.message : `The request failed (${status}).`;
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = typeof body.error === 'string' ? body.error : 'http_error';
    this.body = body;
  }
}

export interface ClientOptions {
  /** `''` for same-origin calls from the web app; `http://localhost:3000` from tests and scripts. */
  baseUrl: string;
  /** Headers sent with every call, read at call time (a token, a device credential). */
  headers?: () => Record<string, string>;
  fetch?: typeof fetch;
  /** `include` sends the device cookie cross-origin; the web app is same-origin and keeps the default. */
  credentials?: RequestInit['credentials'];
}

/** `/v1/devices/{id}` + `{id: 'd 1'}` -> `/v1/devices/d%201`. */
export function routePath(path: string, params: Record<string, unknown> | undefined): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
}

export type Client = ReturnType<typeof createClient>;

export function createClient(options: ClientOptions) {
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  return {
    async call<Id extends RouteId>(id: Id, ...[input]: CallArgs<Id>): Promise<CallOutput<Id>> {
      const route = routes[id];
      const given = (input ?? {}) as {
        params?: Record<string, unknown>;
        query?: Record<string, unknown>;
        body?: unknown;
        headers?: Record<string, string>;
      };
      const search = new URLSearchParams();
      for (const [key, value] of Object.entries(given.query ?? {})) {
        if (value !== undefined) search.set(key, String(value));
      }
      const query = search.size ? `?${search}` : '';
      const response = await doFetch(`${options.baseUrl}${routePath(route.path, given.params)}${query}`, {
        method: route.method,
        headers: {
          accept: 'application/json',
          ...(given.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...options.headers?.(),
          ...given.headers,
        },
        ...(given.body !== undefined ? { body: JSON.stringify(given.body) } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = { error: 'invalid_response', message: `The server answered ${response.status} without JSON.` };
      }
      if (!response.ok) throw new ApiError(response.status, (json ?? {}) as Record<string, unknown>);
      return json as CallOutput<Id>;
    },
  };
}

/** Routes with nothing to send take no second argument. */
type CallArgs<Id extends RouteId> =
  Record<never, never> extends CallInput<Id> ? [input?: CallInput<Id>] : [input: CallInput<Id>];
