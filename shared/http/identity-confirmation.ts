import { type IdentityDeps, requireConfirmation } from '../domain/identity/use-cases';
import type { ConfirmationRequest } from './middleware';
import type { RouteSpec } from './route-spec';

/** The header a retried request carries its approved challenge id in (lower-case, as API Gateway hands it). */
export const CONFIRMATION_HEADER = 'x-latchkey-confirmation';

function fieldAt(body: unknown, path: string): unknown {
  let value: unknown = body;
  for (const key of path.split('.')) {
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

/**
 * What a confirmation is bound to: the path parameters plus the body fields the route names in
 * `confirmBinds` (as `body.<path>`), so a route whose object is in the body binds to that object, not
 * to the whole workspace. A named field that is absent binds as empty, never to "anything".
 */
export function confirmationParams(
  route: RouteSpec,
  params: unknown,
  body: unknown,
): Record<string, unknown> {
  const bound: Record<string, unknown> = { ...(params && typeof params === 'object' ? params : {}) };
  for (const path of route.confirmBinds ?? []) {
    const value = fieldAt(body, path);
    bound[`body.${path}`] = typeof value === 'string' || typeof value === 'number' ? value : '';
  }
  return bound;
}

/** `AuthOptions.confirm` for every group: the route's declared action, bound as `confirmationParams` says. */
export function confirmationCheck(deps: IdentityDeps) {
  return async (request: ConfirmationRequest): Promise<void> => {
    const route: RouteSpec = request.route;
    const action = route.confirm;
    if (!action) return;
    await requireConfirmation(
      {
        caller: request.caller,
        device: request.device,
        action,
        params: confirmationParams(route, request.params, request.body),
        presented: request.event.headers?.[CONFIRMATION_HEADER],
        ip: request.event.requestContext?.http?.sourceIp,
      },
      deps,
    );
  };
}
