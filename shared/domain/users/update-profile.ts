import type { Clock, UserRepository } from '../ports';
import type { User } from './model';

export interface UpdateProfileDeps {
  users: Pick<UserRepository, 'updateName'>;
  clock: Clock;
}

/** The caller renames themself. The write itself refuses a user deprovisioned meanwhile. */
export async function updateProfile(
  caller: User,
  changes: { name: string },
  deps: UpdateProfileDeps,
): Promise<User> {
  if (changes.name === caller.name) return caller;
  return deps.users.updateName(caller.id, changes.name, deps.clock.now());
}
