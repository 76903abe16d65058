import { type AccessDeps, requireOwner } from '../domain/accounts/use-cases';
import type { AuthOptions, ConfirmationRequest } from './middleware';

/**
 * Identity confirmation for owner-only account routes, with the access check first: a stranger gets
 * 404 and a collaborator 403 before any challenge is created or any push is sent to them.
 */
export function ownerFirst(confirm: AuthOptions['confirm'], deps: AccessDeps): AuthOptions['confirm'] {
  if (!confirm) return undefined;
  return async (request: ConfirmationRequest) => {
    const params = request.params as { id?: string };
    if (params.id) await requireOwner(request.caller, params.id, deps);
    await confirm(request);
  };
}
