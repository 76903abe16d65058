import { identityHmacInput, SCIM_TOKEN_PREFIX, sameNumber } from '../identity/model';
import type { Hmac } from '../ports';
import { ScimError } from './scim-model';

export interface ScimTokenDeps {
  hmac: Hmac;
  /** The stored HMAC of the workspace's current SCIM token, if one was issued. */
  tokenHashOf(workspaceId: string): Promise<string | undefined>;
}

const unauthorized = () => new ScimError(401, 'A valid SCIM bearer token is required.');

/**
 * The workspace a SCIM bearer token belongs to. The token names its workspace (`lksc_<ws>.<secret>`,
 * or `<ws>.<secret>` when issued before the prefix); the stored HMAC of that workspace's current token
 * is compared in constant time, so a token only ever opens its own workspace and a reissued one none.
 */
export async function authenticateScimToken(
  authorization: string | undefined,
  deps: ScimTokenDeps,
): Promise<{ workspaceId: string }> {
  const match = /^bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
  const token = match?.[1]?.startsWith(SCIM_TOKEN_PREFIX)
    ? match[1].slice(SCIM_TOKEN_PREFIX.length)
    : match?.[1];
  const dot = token?.indexOf('.') ?? -1;
  if (!token || dot <= 0 || token.length > 512) throw unauthorized();
  const workspaceId = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  if (!/^ws_[\w-]+$/.test(workspaceId) || !secret) throw unauthorized();
  const stored = await deps.tokenHashOf(workspaceId);
  if (!stored) throw unauthorized();
  const presented = await deps.hmac.digest(identityHmacInput.scimToken(workspaceId, secret));
  if (!sameNumber(presented, stored)) throw unauthorized();
  return { workspaceId };
}
