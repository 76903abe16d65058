import { DomainError } from '../errors';
import type { Clock, SecurityLog } from '../ports';
import type { CallerIdentity, User } from '../users/model';
import type { DirectorySettings, LinkMethod, UniversalLogoutSettings } from './settings-model';

/**
 * A JWKS URL the outbound rules refuse (422 `jwks_url_refused`, `reason`): not HTTPS, credentials or a
 * fragment in it, an IP literal of a private, loopback or link-local range, a non-public host name.
 */
export class JwksUrlRefusedError extends DomainError {
  constructor(reason: string) {
    super(`The JWKS URL is refused: ${reason}. Use your identity provider's public HTTPS JWKS URL.`, {
      reason,
    });
  }
}

export { type DirectorySettings, LINK_METHODS, type LinkMethod } from './settings-model';

/** What a new workspace starts with: nobody joins but the users SCIM or bootstrap provisioned. */
export function closedSettings(now: Date): DirectorySettings {
  return {
    jitProvisioning: false,
    allowedEmailDomains: [],
    linkBy: 'verified_email',
    source: 'bootstrap',
    updatedAt: now.toISOString(),
  };
}

export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * Just in time only with a verified email (an unverified one is the nOAuth takeover) from an allowed
 * domain, and only while the workspace allows it.
 */
export function mayJoinJustInTime(identity: CallerIdentity, settings: DirectorySettings): boolean {
  return (
    settings.jitProvisioning &&
    identity.emailVerified === true &&
    settings.allowedEmailDomains.includes(emailDomain(identity.email))
  );
}

/** Today's behaviour for a workspace created before settings existed: JIT on, its users' domains. */
export function legacySettings(memberEmails: string[], now: Date): DirectorySettings {
  return {
    jitProvisioning: true,
    allowedEmailDomains: [...new Set(memberEmails.map(emailDomain))].sort(),
    linkBy: 'verified_email',
    source: 'legacy',
    updatedAt: now.toISOString(),
  };
}

export interface DirectorySettingsStore {
  get(workspaceId: string): Promise<DirectorySettings | undefined>;
  /** Writes settings only if the workspace has none yet; answers whichever settings are stored after. */
  initialise(workspaceId: string, settings: DirectorySettings): Promise<DirectorySettings>;
  put(workspaceId: string, settings: DirectorySettings): Promise<void>;
  /** Emails of the workspace's users other than guests (external people do not define its domains). */
  memberEmails(workspaceId: string): Promise<string[]>;
}

export interface DirectorySettingsDeps {
  settings: DirectorySettingsStore;
  clock: Clock;
}

/**
 * The workspace's settings. A workspace without any (created before they existed) gets the legacy
 * ones, derived from its users once and stored, so its behaviour does not change until an admin
 * changes it and later sign-ins read one item.
 */
export async function directorySettingsOf(
  workspaceId: string,
  deps: DirectorySettingsDeps,
): Promise<DirectorySettings> {
  const stored = await deps.settings.get(workspaceId);
  if (stored) return stored;
  const derived = legacySettings(await deps.settings.memberEmails(workspaceId), deps.clock.now());
  return deps.settings.initialise(workspaceId, derived);
}

export interface DirectorySettingsView {
  jitProvisioning: boolean;
  allowedEmailDomains: string[];
  linkBy: LinkMethod;
  source: DirectorySettings['source'];
  updatedAt: string;
  universalLogout: UniversalLogoutSettings | null;
}

const view = (settings: DirectorySettings): DirectorySettingsView => ({
  jitProvisioning: settings.jitProvisioning,
  allowedEmailDomains: settings.allowedEmailDomains,
  linkBy: settings.linkBy,
  source: settings.source,
  updatedAt: settings.updatedAt,
  universalLogout: settings.universalLogout ?? null,
});

export async function getDirectorySettings(caller: User, deps: DirectorySettingsDeps) {
  return view(await directorySettingsOf(caller.workspaceId, deps));
}

/** Replaces the settings (roles and the trusted web session are the route's). */
export async function updateDirectorySettings(
  caller: User,
  input: {
    jitProvisioning: boolean;
    allowedEmailDomains: string[];
    linkBy?: LinkMethod | undefined;
    /** Absent: unchanged; null: Universal Logout requests are no longer accepted. */
    universalLogout?: { issuer: string; jwksUrl: string; audience?: string | undefined } | null | undefined;
  },
  deps: DirectorySettingsDeps & {
    security: SecurityLog;
    /**
     * The outbound URL rules the webhook connector applies (HTTPS, no private/loopback/link-local
     * literal, a public host name; the local runtime's one loopback origin): the refusal's reason, or
     * undefined. The address a name resolves to is checked again at each fetch.
     */
    checkJwksUrl: (url: string) => string | undefined;
  },
) {
  const current = await directorySettingsOf(caller.workspaceId, deps);
  const logout = input.universalLogout === undefined ? current.universalLogout : input.universalLogout;
  // A newly given URL is checked; one kept as it was is checked at each fetch (an older one may predate the rules).
  const refused = input.universalLogout ? deps.checkJwksUrl(input.universalLogout.jwksUrl) : undefined;
  if (refused) throw new JwksUrlRefusedError(refused);
  const next: DirectorySettings = {
    jitProvisioning: input.jitProvisioning,
    allowedEmailDomains: [...new Set(input.allowedEmailDomains.map((domain) => domain.toLowerCase()))].sort(),
    linkBy: input.linkBy ?? current.linkBy,
    source: 'admin',
    updatedAt: deps.clock.now().toISOString(),
    ...(logout
      ? {
          universalLogout: {
            issuer: logout.issuer,
            jwksUrl: logout.jwksUrl,
            ...(logout.audience ? { audience: logout.audience } : {}),
          },
        }
      : {}),
  };
  await deps.settings.put(caller.workspaceId, next);
  deps.security.record({
    event: 'workspace.directory_changed',
    outcome: 'success',
    reason: `jit=${next.jitProvisioning};domains=${next.allowedEmailDomains.length};link=${next.linkBy};universalLogout=${next.universalLogout ? 'on' : 'off'}`,
    userId: caller.id,
    actorUserId: caller.id,
  });
  return view(next);
}
