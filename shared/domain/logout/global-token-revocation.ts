import type { DirectorySettingsStore } from '../directory/settings';
import type { UserRepository } from '../ports';
import {
  InvalidSubjectError,
  JwksUnavailableError,
  LogoutTokenError,
  UnsupportedSubjectFormatError,
} from './errors';
import type { LogoutTokens } from './ports';
import { type LogoutDeps, type LogoutReport, logOutEverywhere } from './use-cases';

/** The longest `exp - iat` a request token may have: Okta's are short-lived; a long one is refused. */
export const MAX_LOGOUT_TOKEN_LIFETIME_SECONDS = 300;

export interface GlobalLogoutDeps extends LogoutDeps {
  settings: Pick<DirectorySettingsStore, 'get'>;
  logoutTokens: LogoutTokens;
  users: Pick<UserRepository, 'getUser' | 'findUserIdByIdentity'>;
  userIdByEmail(workspaceId: string, email: string): Promise<string | undefined>;
}

/** RFC 9493 subject identifiers this endpoint accepts (the two Okta sends). */
export type SubjectId = { format: 'email'; email: string } | { format: 'iss_sub'; iss: string; sub: string };

const text = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= max;

/** Reads `sub_id`: an unknown format is 400 `unsupported_subject_format`, a malformed one 400 `invalid_subject`. */
export function parseSubjectId(raw: { format: string } & Record<string, unknown>): SubjectId {
  if (raw.format === 'email') {
    if (text(raw.email, 320)) return { format: 'email', email: raw.email };
    throw new InvalidSubjectError(raw.format);
  }
  if (raw.format === 'iss_sub') {
    if (text(raw.iss, 1024) && text(raw.sub, 255)) return { format: 'iss_sub', iss: raw.iss, sub: raw.sub };
    throw new InvalidSubjectError(raw.format);
  }
  throw new UnsupportedSubjectFormatError(raw.format);
}

function bearerToken(authorization: string | undefined): string {
  const match = /^Bearer\s+([\w-]+\.[\w-]+\.[\w-]+)\s*$/i.exec(authorization ?? '');
  if (!authorization) throw new LogoutTokenError('missing');
  if (!match?.[1]) throw new LogoutTokenError('malformed');
  return match[1];
}

async function findSubject(workspaceId: string, subject: SubjectId, deps: GlobalLogoutDeps) {
  const userId =
    subject.format === 'email'
      ? await deps.userIdByEmail(workspaceId, subject.email)
      : await deps.users.findUserIdByIdentity(subject.iss, subject.sub);
  const user = userId ? await deps.users.getUser(userId) : undefined;
  return user && user.workspaceId === workspaceId ? user : undefined;
}

/**
 * The IdP-initiated universal logout (Okta's Universal Logout = the Global Token Revocation request):
 * the bearer token must be signed by a key of the workspace's configured JWKS, with the configured
 * issuer, this endpoint as audience, a short lifetime and a `jti` never seen before (consumed with a
 * conditional write). Only then is the subject looked up. An unknown subject ends nothing and is
 * answered like a known one (204): the answer never says who exists.
 */
export async function globalTokenRevocation(
  input: {
    workspaceId: string;
    authorization: string | undefined;
    subId: { format: string } & Record<string, unknown>;
    /** This endpoint's URL: the expected `aud` unless the workspace configured another. */
    endpoint: string;
  },
  deps: GlobalLogoutDeps,
): Promise<LogoutReport | undefined> {
  const token = bearerToken(input.authorization);
  const config = (await deps.settings.get(input.workspaceId))?.universalLogout;
  if (!config) throw new LogoutTokenError('not_configured');
  const fail = (reason: string) =>
    deps.security.record({
      event: 'user.universal_logout',
      outcome: 'failure',
      userId: 'unknown',
      actorUserId: 'idp',
      reason: `${input.workspaceId}:${reason}`,
    });
  const claims = await deps.logoutTokens
    .verify(token, {
      issuer: config.issuer,
      jwksUrl: config.jwksUrl,
      audience: config.audience ?? input.endpoint,
      maxLifetimeSeconds: MAX_LOGOUT_TOKEN_LIFETIME_SECONDS,
    })
    .catch((error: unknown) => {
      // Why the keys are out of reach (e.g. the JWKS host resolves to a private address) is for admins.
      if (error instanceof JwksUnavailableError) fail(`jwks_unavailable:${error.why}`);
      throw error;
    });
  const subject = parseSubjectId(input.subId);
  if (!(await deps.logoutTokens.consume(claims))) throw new LogoutTokenError('replayed');
  const user = await findSubject(input.workspaceId, subject, deps);
  if (!user) {
    fail(`unknown_subject:${subject.format}`);
    return undefined;
  }
  return logOutEverywhere(user, { via: 'idp', issuer: claims.issuer }, deps);
}
