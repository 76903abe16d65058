import { DomainError } from '../errors';
import type { Clock, IdGenerator } from '../ports';
import { normalizeWorkspaceName, type User, type Workspace } from '../users/model';
import type { DirectoryRepository } from './ports';
import { closedSettings, type DirectorySettings } from './settings';

export interface BootstrapInput {
  workspaceName: string;
  ownerEmail: string;
  /** Who else may join at creation (default: nobody but SCIM-provisioned users). Ignored for an existing workspace. */
  jitEmailDomains?: string[];
}

export interface BootstrapStore {
  findWorkspaceByName(name: string): Promise<Workspace | undefined>;
  /** The workspace, its name claim, its settings and its invited owner, in one transaction. */
  createWorkspace(
    workspace: Workspace,
    settings: DirectorySettings,
    owner: User,
  ): Promise<'created' | 'name_taken'>;
  /** A user named before they ever signed in; linked to their identity on first sign-in by verified email. */
  addInvitedUser(user: User): Promise<'created' | 'conflict'>;
}

export interface BootstrapDeps {
  users: BootstrapStore;
  directory: Pick<DirectoryRepository, 'findUserIds' | 'getUser' | 'setRole'>;
  clock: Clock;
  newId: IdGenerator;
}

export type BootstrapOutcome = 'workspace_created' | 'owner_invited' | 'owner_promoted' | 'unchanged';

/** The email names a deprovisioned user: reactivate them in the IdP (SCIM) before naming them owner. */
export class BootstrapOwnerDeprovisionedError extends DomainError {}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * The only way a workspace comes to exist, and the way to name a new owner when the IdP deprovisioned
 * the last one. Idempotent: bootstrapping again with the same owner changes nothing.
 * - New workspace: created closed (or open to `jitEmailDomains`) with the owner invited: their first
 *   sign-in with that verified email links to the owner user.
 * - Existing workspace: an active user with that email becomes owner; otherwise the email is invited as owner.
 */
export async function bootstrapWorkspace(
  input: BootstrapInput,
  deps: BootstrapDeps,
): Promise<{ workspace: Workspace; owner: User; outcome: BootstrapOutcome }> {
  const name = normalizeWorkspaceName(input.workspaceName);
  const email = input.ownerEmail.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(name))
    throw new Error(`invalid workspace name: ${input.workspaceName}`);
  if (!EMAIL.test(email)) throw new Error(`invalid owner email: ${input.ownerEmail}`);
  const domains = (input.jitEmailDomains ?? []).map((domain) => domain.trim().toLowerCase());
  const badDomain = domains.find((domain) => !DOMAIN.test(domain));
  if (badDomain) throw new Error(`invalid email domain: ${badDomain}`);

  for (let attempt = 0; attempt < 3; attempt++) {
    const now = deps.clock.now();
    const at = now.toISOString();
    const existing = await deps.users.findWorkspaceByName(name);
    const workspace = existing ?? { id: deps.newId('ws'), name, createdAt: at };
    const invited: User = {
      id: deps.newId('usr'),
      workspaceId: workspace.id,
      email,
      name: email,
      workspaceRole: 'owner',
      status: 'active',
      createdAt: at,
      updatedAt: at,
    };
    if (!existing) {
      const settings: DirectorySettings = {
        ...closedSettings(now),
        ...(domains.length > 0
          ? { jitProvisioning: true, allowedEmailDomains: [...new Set(domains)].sort() }
          : {}),
      };
      if ((await deps.users.createWorkspace(workspace, settings, invited)) === 'created') {
        return { workspace, owner: invited, outcome: 'workspace_created' };
      }
      continue;
    }
    const ids = await deps.directory.findUserIds(workspace.id, 'email', email);
    const users = (await Promise.all(ids.map((id) => deps.directory.getUser(workspace.id, id))))
      .map((entry) => entry?.user)
      .filter((user): user is User => user !== undefined && user.email === email);
    const active = users.find((user) => user.status === 'active');
    if (active?.workspaceRole === 'owner') return { workspace, owner: active, outcome: 'unchanged' };
    if (active) {
      if (
        (await deps.directory.setRole(active, active.workspaceRole, 'owner', undefined, now)) === 'applied'
      ) {
        return {
          workspace,
          owner: { ...active, workspaceRole: 'owner', updatedAt: at },
          outcome: 'owner_promoted',
        };
      }
      continue;
    }
    if (users.length > 0) {
      throw new BootstrapOwnerDeprovisionedError(
        `${email} is deprovisioned in ${name}: reactivate them through SCIM, or name someone else`,
      );
    }
    if ((await deps.users.addInvitedUser(invited)) === 'created') {
      return { workspace, owner: invited, outcome: 'owner_invited' };
    }
  }
  throw new Error(`workspace ${name} kept changing during bootstrap; run it again`);
}
