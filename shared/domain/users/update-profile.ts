import type { Clock, UserRepository } from '../ports';
import { stripUnsafeText } from '../text/sanitize';
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
  const name =
    stripUnsafeText(changes.name)
      .text.replace(/[\n\t]+/g, ' ')
      .trim() || caller.name;
  if (name === caller.name) return caller;
  return deps.users.updateName(caller.id, name, deps.clock.now());
}
