import * as z from 'zod/mini';
import { ACCOUNT_ROLES } from '../../domain/accounts/model';
import type { RouteSpec } from '../route-spec';
import { deletedResponse, idParams } from '../schemas';

const id = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[\w-]+$/, 'must be an id'));
const teamSummary = z.object({ id: z.string(), name: z.string(), memberCount: z.number() });
const teamShareParams = z.strictObject({ id, teamId: id });

/** Teams (the IdP's SCIM Groups) and accounts shared with them, in their own function. */
export const teamsRoutes = {
  listTeams: {
    method: 'GET',
    path: '/v1/teams',
    group: 'directory',
    auth: 'trusted',
    summary: "The workspace's teams (SCIM Groups) with their member counts.",
    status: 200,
    response: z.object({ items: z.array(teamSummary) }),
  },
  getTeam: {
    method: 'GET',
    path: '/v1/teams/{id}',
    group: 'directory',
    auth: 'trusted',
    summary: 'A team of your workspace and its members.',
    status: 200,
    params: idParams,
    response: z.object({
      team: z.object({
        ...teamSummary.shape,
        members: z.array(
          z.object({ id: z.string(), name: z.string(), email: z.string(), status: z.string() }),
        ),
      }),
    }),
  },
  shareWithTeam: {
    method: 'PUT',
    path: '/v1/accounts/{id}/teams/{teamId}',
    group: 'directory',
    auth: 'trusted',
    summary:
      "Shares the account with a team, or changes the team's role (owners); guests and login-only members get collaborator rights.",
    status: 200,
    params: teamShareParams,
    body: z.strictObject({ role: z.enum(ACCOUNT_ROLES) }),
    response: z.object({
      share: z.object({
        accountId: z.string(),
        teamId: z.string(),
        role: z.enum(ACCOUNT_ROLES),
        addedAt: z.string(),
      }),
    }),
    errors: ['forbidden'],
  },
  unshareFromTeam: {
    method: 'DELETE',
    path: '/v1/accounts/{id}/teams/{teamId}',
    group: 'directory',
    auth: 'trusted',
    summary: 'Stops sharing the account with a team (owners); its members lose access on their next request.',
    status: 200,
    params: teamShareParams,
    response: deletedResponse,
    errors: ['forbidden'],
  },
} as const satisfies Record<string, RouteSpec>;
