import { WORKSPACE_ROLE_RANK, type WorkspaceRole } from '../../shared/domain/users/model';

/** Workspace roles that see the admin pages (the API's `roles` for those routes say the same). */
const ADMIN_ROLES: readonly string[] = ['owner', 'super_admin', 'admin'];

export function isAdmin(role: string): boolean {
  return ADMIN_ROLES.includes(role);
}

const rank = (role: string) => WORKSPACE_ROLE_RANK[role as WorkspaceRole] ?? -1;

/**
 * Whether the People page offers "Log out everywhere": the API's rule for universal logout (as for
 * deprovisioning), so the page offers no button the API would refuse. Owners may log out anyone else;
 * super admins and admins only people ranked below them; nobody themselves.
 */
export function mayLogOut(
  caller: { id: string; workspaceRole: string },
  target: { id: string; workspaceRole: string },
) {
  if (caller.id === target.id || !isAdmin(caller.workspaceRole)) return false;
  return caller.workspaceRole === 'owner' || rank(caller.workspaceRole) > rank(target.workspaceRole);
}
