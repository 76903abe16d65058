import { UserDeprovisionedError } from '../errors';
import type { Clock, IdGenerator, UserRepository } from '../ports';
import type { CallerIdentity, User } from './model';

export interface ResolveCallerDeps {
  users: Pick<UserRepository, 'findUserIdByIdentity' | 'getUser' | 'provision'>;
  clock: Clock;
  newId: IdGenerator;
  /** Links a first sign-in to the user SCIM provisioned for it (verified email), if there is one. */
  link?: (identity: CallerIdentity) => Promise<User | undefined>;
}

/**
 * Turns a verified IdP identity into a Latchkey user, provisioning it just in time on the first call:
 * it joins the workspace its token names with role `user`, or creates that workspace as its `owner`
 * when no one has used the name before. A deprovisioned user is refused on every request.
 */
export async function resolveCaller(identity: CallerIdentity, deps: ResolveCallerDeps): Promise<User> {
  const userId = await deps.users.findUserIdByIdentity(identity.issuer, identity.subject);
  const user = userId
    ? await deps.users.getUser(userId)
    : ((await deps.link?.(identity)) ??
      (
        await deps.users.provision({
          identity,
          userId: deps.newId('usr'),
          newWorkspaceId: deps.newId('ws'),
          role: 'user',
          now: deps.clock.now(),
        })
      ).user);
  if (!user) throw new Error(`identity maps to user ${userId} which does not exist`);
  if (user.status === 'deprovisioned') throw new UserDeprovisionedError();
  return user;
}
