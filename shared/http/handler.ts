import middy from '@middy/core';
import type * as zc from 'zod/v4/core';
import { DEFAULTS, ENV, optionalEnv, positiveIntEnv } from '../config/env';
import type { Device } from '../domain/devices/model';
import type { User } from '../domain/users/model';
import { instrument } from '../observability/telemetry';
import {
  type AuthOptions,
  authContext,
  type HttpEvent,
  type HttpResult,
  jsonBodyParser,
  jsonResponse,
  type LatchkeyContext,
  requestValidator,
  responseFinalizer,
  routeResolver,
} from './middleware';
import type { Route, RouteGroup, RouteId, RouteSpec, routes } from './routes';

type Spec<Id extends RouteId> = (typeof routes)[Id];
type Infer<S> = S extends zc.$ZodType ? zc.output<S> : undefined;
type Field<S, K extends string> = S extends Record<K, infer T> ? Infer<T> : undefined;

/** What a route implementation receives: validated input and, unless public, the caller. */
export interface RouteInput<Id extends RouteId> {
  params: Field<Spec<Id>, 'params'>;
  query: Field<Spec<Id>, 'query'>;
  body: Field<Spec<Id>, 'body'>;
  caller: Spec<Id>['auth'] extends 'public' | 'idp' ? undefined : User;
  /** Always on `device`/`trusted` routes; on `optionalDevice` routes when a credential was sent. */
  device: Spec<Id>['auth'] extends 'device' | 'trusted' ? Device : Device | undefined;
  event: HttpEvent;
}

export type RouteImplementation<Id extends RouteId> = (
  input: RouteInput<Id>,
) => Promise<zc.input<Spec<Id>['response']>>;

export type GroupRouteId<G extends RouteGroup> = {
  [Id in RouteId]: Spec<Id>['group'] extends G ? Id : never;
}[RouteId];

export type GroupImplementations<G extends RouteGroup> = { [Id in GroupRouteId<G>]: RouteImplementation<Id> };

export interface GroupOptions extends Partial<AuthOptions> {
  maxBodyBytes?: number;
}

/**
 * One Lambda handler for a route group: dispatches on `event.routeKey` to the route's implementation
 * through the same middy stack for every group (finalizer, route, body, validation, auth).
 */
export function createGroupHandler<G extends RouteGroup>(
  group: G,
  /** The context's route file (`routes/<context>.ts`): only its schemas end up in this bundle. */
  manifest: Readonly<Record<string, RouteSpec>>,
  implementations: GroupImplementations<G>,
  options: GroupOptions = {},
) {
  const groupRoutes = routesOf(group, manifest);
  checkImplemented(group, groupRoutes, implementations);
  const impls = implementations as Record<string, (input: unknown) => Promise<unknown>>;
  return groupStack(groupRoutes, async () => impls, options);
}

/** What a lazily built group loads on its first request: its dependencies and their auth options. */
export interface GroupRuntime {
  options: GroupOptions;
}

/**
 * A route group whose dependencies (the composition root: SDK clients, repositories, use cases'
 * adapters) load with `await import()` on the first request that passes validation, not at module
 * load: the cold module load stays within its budget and a malformed request never pays for them.
 * `implementations` receives what `load` built. A failed load (a throttled KMS call, say) is not
 * cached: the next request tries again.
 */
export function createLazyGroupHandler<G extends RouteGroup, R extends GroupRuntime>(
  group: G,
  manifest: Readonly<Record<string, RouteSpec>>,
  implementations: (runtime: R) => GroupImplementations<G>,
  load: () => Promise<R>,
  options: Pick<GroupOptions, 'maxBodyBytes' | 'workspaceClaim'> = {
    maxBodyBytes: positiveIntEnv(ENV.maxBodyBytes, DEFAULTS.maxBodyBytes),
    workspaceClaim: optionalEnv(ENV.workspaceClaim) ?? DEFAULTS.workspaceClaim,
  },
) {
  const groupRoutes = routesOf(group, manifest);
  let built:
    | { impls: Record<string, (input: unknown) => Promise<unknown>>; options: GroupOptions }
    | undefined;
  let loading: Promise<NonNullable<typeof built>> | undefined;
  const ready = async () => {
    if (built) return built;
    loading ??= load().then((runtime) => {
      const impls = implementations(runtime);
      checkImplemented(group, groupRoutes, impls);
      built = { impls: impls as NonNullable<typeof built>['impls'], options: runtime.options };
      return built;
    });
    try {
      return await loading;
    } catch (error) {
      loading = undefined;
      throw error;
    }
  };
  const needed = <K extends 'resolveCaller' | 'authenticateDevice' | 'confirm'>(key: K) =>
    ready().then(({ options: loaded }) => {
      const fn = loaded[key];
      if (!fn) throw new Error(`group ${group} has no ${key}`);
      return fn as NonNullable<GroupOptions[K]>;
    });
  return groupStack(groupRoutes, async () => (await ready()).impls, {
    ...options,
    resolveCaller: async (identity) => (await needed('resolveCaller'))(identity),
    authenticateDevice: async (caller, credential) =>
      (await needed('authenticateDevice'))(caller, credential),
    confirm: async (request) => (await needed('confirm'))(request),
    // Only asked after authenticateDevice, so the runtime is there by then.
    now: () => built?.options.now?.() ?? new Date(),
  });
}

function routesOf(group: RouteGroup, manifest: Readonly<Record<string, RouteSpec>>): Route[] {
  return Object.entries(manifest)
    .filter(([, route]) => route.group === group)
    .map(([id, route]) => ({ ...route, id }) as Route);
}

function checkImplemented(group: RouteGroup, groupRoutes: readonly Route[], implementations: object) {
  const impls = implementations as Record<string, unknown>;
  for (const route of groupRoutes) {
    if (!impls[route.id]) throw new Error(`route ${route.id} of group ${group} has no implementation`);
  }
}

function groupStack(
  groupRoutes: readonly Route[],
  implementations: () => Promise<Record<string, (input: unknown) => Promise<unknown>>>,
  options: GroupOptions,
) {
  const core = async (event: HttpEvent, context: LatchkeyContext): Promise<HttpResult> => {
    const state = context.latchkey;
    const route = state.route;
    if (!route) throw new Error('route resolver did not run');
    const impl = (await implementations())[route.id] as (input: unknown) => Promise<unknown>;
    const body = await impl({
      params: state.params,
      query: state.query,
      body: state.body,
      caller: state.caller,
      device: state.device,
      event,
    });
    if (route.status === 204) {
      const { body: _none, ...empty } = jsonResponse(204, null);
      return empty;
    }
    return jsonResponse(route.status, body);
  };

  // Powertools context, metrics and tracing plus the correlation id, for every group in one place.
  const handler = middy<HttpEvent, HttpResult, Error, LatchkeyContext>(core)
    .use(responseFinalizer())
    .use(routeResolver(groupRoutes))
    .use(jsonBodyParser({ maxBytes: options.maxBodyBytes ?? DEFAULTS.maxBodyBytes }))
    .use(requestValidator())
    .use(
      authContext({
        workspaceClaim: options.workspaceClaim ?? DEFAULTS.workspaceClaim,
        ...(options.resolveCaller ? { resolveCaller: options.resolveCaller } : {}),
        ...(options.authenticateDevice ? { authenticateDevice: options.authenticateDevice } : {}),
        ...(options.confirm ? { confirm: options.confirm } : {}),
        ...(options.now ? { now: options.now } : {}),
      }),
    );
  // `.use()` still adds a group's own middleware (after the shared ones) to the inner chain.
  const instrumented = Object.assign(instrument(handler), {
    use: (middleware: Parameters<typeof handler.use>[0]) => {
      handler.use(middleware);
      return instrumented;
    },
  });
  return instrumented;
}
