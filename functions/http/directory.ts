import { assignOrphanedAccountOwner, listOrphanedAccounts } from '../../shared/domain/directory/continuity';
import { searchWorkspaceUsers, setWorkspaceRole } from '../../shared/domain/directory/roles';
import { getDirectorySettings, updateDirectorySettings } from '../../shared/domain/directory/settings';
import { getTeam, listTeams, shareWithTeam, unshareFromTeam } from '../../shared/domain/directory/teams';
import { createLazyGroupHandler } from '../../shared/http/handler';
import { directoryRoutes } from '../../shared/http/routes/directory';
import { teamsRoutes } from '../../shared/http/routes/teams';
import { toUserView } from '../../shared/http/views';

/** The directory for people: teams, accounts shared with them, the user picker and workspace roles. */
export const handler = createLazyGroupHandler(
  'directory',
  { ...teamsRoutes, ...directoryRoutes },
  ({ deps }) => ({
    listTeams: async ({ caller }) => ({ items: await listTeams(caller, deps) }),
    getTeam: async ({ caller, params }) => ({ team: await getTeam(caller, params.id, deps) }),
    shareWithTeam: async ({ caller, params, body }) => ({
      share: await shareWithTeam(caller, params.id, params.teamId, body.role, deps),
    }),
    searchUsers: async ({ caller, query }) => searchWorkspaceUsers(caller, query, deps),
    setUserRole: async ({ caller, params, body }) => ({
      user: toUserView(await setWorkspaceRole(caller, params.userId, body.role, deps)),
    }),
    getDirectorySettings: async ({ caller }) => ({ directory: await getDirectorySettings(caller, deps) }),
    putDirectorySettings: async ({ caller, body }) => ({
      directory: await updateDirectorySettings(caller, body, deps),
    }),
    listOrphanedAccounts: async ({ caller, query }) => listOrphanedAccounts(caller, query, deps),
    assignOrphanedAccountOwner: async ({ caller, params, body }) => ({
      member: await assignOrphanedAccountOwner(caller, params.id, body.userId, deps),
    }),
    unshareFromTeam: async ({ caller, params }) => {
      await unshareFromTeam(caller, params.id, params.teamId, deps);
      return { deleted: true as const };
    },
  }),
  () => import('../../shared/runtime/directory').then((runtime) => runtime.directoryRuntime()),
);
