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

/** The demo workspace. The owner comes first: the first user of a new workspace becomes its owner. */
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

/** Idempotent: a user already provisioned (by an earlier start) is left as it is. */
export async function seed(deps: {
  users: UserRepository;
  clock: Clock;
  newId: IdGenerator;
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
  }
  return created;
}
