import { ForbiddenError } from '../domain/errors';
import type { Clock } from '../domain/ports';
import { mayCreateVaults, type VaultRole } from '../domain/secrets/model';
import {
  type AccessDeps,
  type AccessMemo,
  requireSecretRole,
  requireVaultRole,
} from '../domain/secrets/use-cases';
import type { AuthOptions, ConfirmationRequest, HttpEvent } from './middleware';

/** The role each confirmed route needs, on the vault or the secret named by its `id` parameter. */
const NEEDS: Record<string, { on: 'vault' | 'secret' | 'workspace'; role: VaultRole; trash?: 'only' }> = {
  createVault: { on: 'workspace', role: 'manager' },
  updateVault: { on: 'vault', role: 'manager' },
  deleteVault: { on: 'vault', role: 'manager' },
  putVaultMember: { on: 'vault', role: 'manager' },
  removeVaultMember: { on: 'vault', role: 'manager' },
  getSecret: { on: 'secret', role: 'viewer' },
  updateSecret: { on: 'secret', role: 'editor' },
  deleteSecret: { on: 'secret', role: 'editor' },
  secretHistory: { on: 'secret', role: 'viewer' },
  restoreSecretVersion: { on: 'secret', role: 'editor' },
  putSecretMember: { on: 'secret', role: 'manager' },
  removeSecretMember: { on: 'secret', role: 'manager' },
  purgeSecret: { on: 'secret', role: 'editor', trash: 'only' },
  createAttachment: { on: 'secret', role: 'editor' },
  getAttachment: { on: 'secret', role: 'viewer' },
  deleteAttachment: { on: 'secret', role: 'editor' },
};

/** One memo per request event: a request never sees another request's access. */
const memos = new WeakMap<HttpEvent, AccessMemo>();

/**
 * The deps of one request: the confirmation check and the use case share one access resolution, so
 * the grants are read once per request (review finding: the check used to run twice).
 */
export function forRequest<D extends AccessDeps>(deps: D, event: HttpEvent): D {
  return { ...deps, access: accessMemo(event) };
}

export function accessMemo(event: HttpEvent): AccessMemo {
  let access = memos.get(event);
  if (!access) {
    access = new Map();
    memos.set(event, access);
  }
  return access;
}

/**
 * Identity confirmation for vault and secret routes with the access check first: someone without a
 * role gets 404 and too weak a role 403 before any challenge is created or any push is sent.
 */
export function accessFirst(
  confirm: AuthOptions['confirm'],
  deps: AccessDeps & { clock: Clock },
): AuthOptions['confirm'] {
  if (!confirm) return undefined;
  return async (request: ConfirmationRequest) => {
    const need = NEEDS[request.route.id];
    if (!need) throw new Error(`confirmed route ${request.route.id} has no access rule`);
    const id = (request.params as { id?: string }).id ?? '';
    const scoped = forRequest(deps, request.event);
    if (need.on === 'workspace' && !mayCreateVaults(request.caller.workspaceRole))
      throw new ForbiddenError('Your workspace role cannot create vaults.');
    if (need.on === 'vault') await requireVaultRole(request.caller, id, need.role, scoped);
    if (need.on === 'secret')
      await requireSecretRole(request.caller, id, need.role, scoped, need.trash ? { trash: need.trash } : {});
    await confirm(request);
  };
}
