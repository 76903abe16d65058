import { describe, expect, it } from 'vitest';
import { mayDeprovision } from '../../../shared/domain/users/deprovision-user';
import { WORKSPACE_ROLES } from '../../../shared/domain/users/model';
import { isAdmin, mayLogOut } from '../../../web/src/roles';
import { aUser } from '../../support/fakes';

const person = (id: string, workspaceRole: string) => ({ id, workspaceRole });

describe('the web app role gates', () => {
  it('shows the admin pages to owners, super admins and admins only', () => {
    const shown = ['owner', 'super_admin', 'admin', 'user', 'login_only', 'guest'].filter(isAdmin);

    expect(shown).toEqual(['owner', 'super_admin', 'admin']);
  });

  it('offers "Log out everywhere" as the API allows it: owners on anyone else, admins on those ranked below, nobody on themselves', () => {
    const owner = person('u1', 'owner');
    const admin = person('u2', 'admin');
    const superAdmin = person('u3', 'super_admin');
    const user = person('u4', 'user');

    expect(mayLogOut(owner, person('u5', 'owner'))).toBe(true);
    expect(mayLogOut(owner, admin)).toBe(true);
    expect(mayLogOut(owner, owner)).toBe(false);
    expect(mayLogOut(admin, user)).toBe(true);
    expect(mayLogOut(admin, person('u6', 'admin'))).toBe(false);
    expect(mayLogOut(admin, superAdmin)).toBe(false);
    expect(mayLogOut(superAdmin, admin)).toBe(true);
    expect(mayLogOut(user, person('u7', 'guest'))).toBe(false);
  });

  it('agrees with the rule the universal logout route applies, for every pair of roles', () => {
    const pairs = WORKSPACE_ROLES.flatMap((actor) =>
      WORKSPACE_ROLES.map((target) => [actor, target] as const),
    );

    const disagreements = pairs.filter(([actor, target]) => {
      const a = aUser({ id: 'usr_a', workspaceRole: actor });
      const b = aUser({ id: 'usr_b', workspaceRole: target });
      // The route is for admins (its `roles`); the rank rule decides among them.
      const api = isAdmin(actor) && mayDeprovision(a, b);
      return mayLogOut(a, b) !== api;
    });

    expect(disagreements).toEqual([]);
  });
});
