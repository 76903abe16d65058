import { type IdentityDeps, requireConfirmation } from '../domain/identity/use-cases';
import type { ConfirmationRequest } from './middleware';
import type { RouteSpec } from './route-spec';

/** The header a retried request carries its approved challenge id in (lower-case, as API Gateway hands it). */
export const CONFIRMATION_HEADER = 'x-latchkey-confirmation';

/** `AuthOptions.confirm` for every group: the route's declared action, its path parameters as the resource. */
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
        params: request.params,
        presented: request.event.headers?.[CONFIRMATION_HEADER],
        ip: request.event.requestContext?.http?.sourceIp,
      },
      deps,
    );
  };
}
