import type { Clock, UserRepository } from '../ports';
import { cleanLabel } from '../text/sanitize';
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
  // Others see this name (members, approvals, alerts): no control or bidi characters are stored.
  const name = cleanLabel(changes.name).text || caller.name;
  if (name === caller.name) return caller;
  return deps.users.updateName(caller.id, name, deps.clock.now());
}
