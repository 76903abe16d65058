import { type DirectorySettings, mayJoinJustInTime } from '../directory/settings';
import { NotProvisionedError, UserDeprovisionedError } from '../errors';
import type { Clock, IdGenerator, SecurityLog, UserRepository } from '../ports';
import { type CallerIdentity, normalizeWorkspaceName, type User, type Workspace } from './model';

export interface ResolveCallerDeps {
  users: Pick<UserRepository, 'findUserIdByIdentity' | 'getUser' | 'provision' | 'findWorkspaceByName'>;
  clock: Clock;
  newId: IdGenerator;
  /** The workspace's directory settings (stored, or derived once for a workspace from before them). */
  directorySettings: (workspace: Workspace) => Promise<DirectorySettings>;
  /**
   * Links a first sign-in to the user SCIM or bootstrap provisioned for it (by `externalId` or
   * verified email, as the workspace's settings say), if there is one.
   */
  link?: (
    identity: CallerIdentity,
    settings: DirectorySettings,
    workspace: Workspace,
  ) => Promise<User | undefined>;
  security?: SecurityLog;
}

/**
 * Turns a verified IdP identity into a Latchkey user. A known identity is its user; a first sign-in is
 * linked to the user SCIM (or bootstrap) provisioned for it, or joins just in time with role `user` when
 * the workspace's directory settings allow its verified email's domain. Anything else, including a
 * workspace that was never bootstrapped, is `403 not_provisioned`: no sign-in creates a workspace.
 * A deprovisioned user is refused on every request.
 */
export async function resolveCaller(identity: CallerIdentity, deps: ResolveCallerDeps): Promise<User> {
  const userId = await deps.users.findUserIdByIdentity(identity.issuer, identity.subject);
  const user = userId ? await deps.users.getUser(userId) : await firstSignIn(identity, deps);
  if (!user) throw new Error(`identity maps to user ${userId} which does not exist`);
  if (user.status === 'deprovisioned') throw new UserDeprovisionedError();
  return user;
}

async function firstSignIn(identity: CallerIdentity, deps: ResolveCallerDeps): Promise<User> {
  const workspace = await deps.users.findWorkspaceByName(normalizeWorkspaceName(identity.workspaceName));
  if (!workspace) return refuse(identity, 'no_workspace', deps);
  const settings = await deps.directorySettings(workspace);
  const linked = await deps.link?.(identity, settings, workspace);
  if (linked) return linked;
  if (!mayJoinJustInTime(identity, settings)) {
    return refuse(identity, identity.emailVerified ? 'not_allowed' : 'email_not_verified', deps);
  }
  const { user } = await deps.users.provision({
    identity,
    userId: deps.newId('usr'),
    role: 'user',
    now: deps.clock.now(),
  });
  return user;
}

function refuse(identity: CallerIdentity, reason: string, deps: ResolveCallerDeps): never {
  deps.security?.record({
    event: 'user.sign_in_refused',
    outcome: 'failure',
    reason,
    // No user exists: the IdP subject identifies the attempt (never the email, which is personal data).
    userId: `unprovisioned:${identity.subject.slice(0, 64)}`,
  });
  throw new NotProvisionedError();
}
