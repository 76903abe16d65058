import { makeAccountRepository } from '../../shared/adapters/dynamodb/account-repository';
import { makeDirectoryRepository } from '../../shared/adapters/dynamodb/directory-repository';
import { makeTeamAccess } from '../../shared/adapters/team-access';
import { getTeam, listTeams, shareWithTeam, unshareFromTeam } from '../../shared/domain/directory/teams';
import { createGroupHandler } from '../../shared/http/handler';
import { teamsRoutes } from '../../shared/http/routes/teams';
import { httpCore } from '../../shared/http/runtime';

/** Teams and the accounts shared with them, on the lean core. */
const { doc, tableName, core, options } = httpCore();
const deps = {
  ...core,
  directory: makeDirectoryRepository(doc, tableName),
  accounts: makeAccountRepository(doc, tableName),
  teamAccess: makeTeamAccess(doc, tableName).teamAccess,
};

export const handler = createGroupHandler(
  'teams',
  teamsRoutes,
  {
    listTeams: async ({ caller }) => ({ items: await listTeams(caller, deps) }),
    getTeam: async ({ caller, params }) => ({ team: await getTeam(caller, params.id, deps) }),
    shareWithTeam: async ({ caller, params, body }) => ({
      share: await shareWithTeam(caller, params.id, params.teamId, body.role, deps),
    }),
    unshareFromTeam: async ({ caller, params }) => {
      await unshareFromTeam(caller, params.id, params.teamId, deps);
      return { deleted: true as const };
    },
  },
  options,
);
