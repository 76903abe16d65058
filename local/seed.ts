import type { DirectorySettingsStore } from '../shared/domain/directory/settings';
import type { Clock, IdGenerator, UserRepository } from '../shared/domain/ports';
import type { WorkspaceRole } from '../shared/domain/users/model';
import { DEV_IDP, devSubject } from './dev-idp';

export const SEED_WORKSPACE = 'acme';

export interface SeedUser {
  email: string;
  name: string;
  role: WorkspaceRole;
  /** Defaults to SEED_WORKSPACE. */
  workspace?: string;
}

/** A second workspace with its own owner and users, so anyone can try cross-workspace isolation. */
export const SECOND_SEED_WORKSPACE = 'globex';

/** The demo workspaces. Each owner comes first: the seed creates a workspace with its first user as owner. */
export const SEED_USERS: readonly SeedUser[] = [
  { email: 'alice@acme.example', name: 'Alice Owner', role: 'owner' },
  { email: 'carol@acme.example', name: 'Carol Admin', role: 'admin' },
  { email: 'bob@acme.example', name: 'Bob User', role: 'user' },
  { email: 'dave@acme.example', name: 'Dave LoginOnly', role: 'login_only' },
  { email: 'gina@partner.example', name: 'Gina Guest', role: 'guest' },
  { email: 'hank@globex.example', name: 'Hank Owner', role: 'owner', workspace: SECOND_SEED_WORKSPACE },
  { email: 'iris@globex.example', name: 'Iris User', role: 'user', workspace: SECOND_SEED_WORKSPACE },
];

/** The workspace a seeded user belongs to. */
export function seedWorkspaceOf(user: SeedUser): string {
  return user.workspace ?? SEED_WORKSPACE;
}

export function findSeedUser(email: string): SeedUser | undefined {
  return SEED_USERS.find((user) => user.email === email.toLowerCase());
}

/**
 * Who may join each seeded workspace: `acme` is open to just-in-time users from acme.example (so any
 * `POST /_local/token` for an acme.example email signs in), `globex` is closed like any new workspace.
 */
export const SEED_DIRECTORY: Record<string, { jitProvisioning: boolean; allowedEmailDomains: string[] }> = {
  [SEED_WORKSPACE]: { jitProvisioning: true, allowedEmailDomains: ['acme.example'] },
  [SECOND_SEED_WORKSPACE]: { jitProvisioning: false, allowedEmailDomains: [] },
};

/**
 * Idempotent: a user already provisioned (by an earlier start) is left as it is, and so are directory
 * settings an admin changed since. The seed writes its users directly (they are the workspaces' first
 * users, as a bootstrap plus their first sign-ins would make them).
 */
export async function seed(deps: {
  users: UserRepository;
  clock: Clock;
  newId: IdGenerator;
  settings: DirectorySettingsStore;
}): Promise<number> {
  let created = 0;
  for (const seedUser of SEED_USERS) {
    const result = await deps.users.provision({
      identity: {
        issuer: DEV_IDP.issuer,
        subject: devSubject(seedUser.email),
        email: seedUser.email,
        name: seedUser.name,
        workspaceName: seedWorkspaceOf(seedUser),
      },
      userId: deps.newId('usr'),
      newWorkspaceId: deps.newId('ws'),
      role: seedUser.role,
      now: deps.clock.now(),
    });
    if (result.created) created++;
    const directory = SEED_DIRECTORY[seedWorkspaceOf(seedUser)];
    if (directory && seedUser.role === 'owner') {
      await deps.settings.initialise(result.workspace.id, {
        ...directory,
        linkBy: 'verified_email',
        source: 'bootstrap',
        updatedAt: deps.clock.now().toISOString(),
      });
    }
  }
  return created;
}
