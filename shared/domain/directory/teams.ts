import { type Membership, mayOwnAccounts } from '../accounts/model';
import { type AccessDeps, requireOwner } from '../accounts/use-cases';
import { NotFoundError } from '../errors';
import type { Clock, SecurityLog } from '../ports';
import type { User } from '../users/model';
import type { DirectoryRepository, TeamGrant } from './ports';

export interface TeamDeps {
  directory: DirectoryRepository;
  clock: Clock;
  security: SecurityLog;
}

/** The workspace's teams (SCIM Groups), by name, with member counts. */
export async function listTeams(caller: User, deps: TeamDeps) {
  const teams = await deps.directory.scanTeams(caller.workspaceId, Number.POSITIVE_INFINITY);
  const list = teams === 'tooMany' ? [] : teams;
  return list
    .sort((a, b) => a.displayName.localeCompare(b.displayName))
    .map((team) => ({ id: team.id, name: team.displayName, memberCount: team.memberCount }));
}

/** One team and its members (id, name, email); another workspace's team is 404. */
export async function getTeam(
  caller: User,
  teamId: string,
  deps: TeamDeps & { users: { getUser(id: string): Promise<User | undefined> } },
) {
  const team = await deps.directory.getTeam(caller.workspaceId, teamId);
  if (!team) throw new NotFoundError('No such team.');
  const members = await deps.directory.listTeamMembers(team.id);
  const users = await Promise.all(members.map((member) => deps.users.getUser(member.value)));
  return {
    id: team.id,
    name: team.displayName,
    memberCount: team.memberCount,
    members: users.flatMap((user) =>
      user ? [{ id: user.id, name: user.name, email: user.email, status: user.status }] : [],
    ),
  };
}

/** Owners of the account share it with a team of their workspace, or change the team's role. */
export async function shareWithTeam(
  caller: User,
  accountId: string,
  teamId: string,
  role: TeamGrant['role'],
  deps: TeamDeps & AccessDeps,
): Promise<TeamGrant> {
  await requireOwner(caller, accountId, deps);
  const team = await deps.directory.getTeam(caller.workspaceId, teamId);
  if (!team) throw new NotFoundError('No such team.');
  const grant: TeamGrant = { accountId, teamId, role, addedAt: deps.clock.now().toISOString() };
  if ((await deps.directory.putTeamGrant(grant)) === 'no_team') throw new NotFoundError('No such team.');
  deps.security.record({
    event: 'share.created',
    outcome: 'success',
    userId: caller.id,
    actorUserId: caller.id,
    reason: `${accountId}:team:${teamId}:${role}`,
  });
  return grant;
}

export async function unshareFromTeam(
  caller: User,
  accountId: string,
  teamId: string,
  deps: TeamDeps & AccessDeps,
): Promise<void> {
  await requireOwner(caller, accountId, deps);
  if (!(await deps.directory.removeTeamGrant(accountId, teamId)))
    throw new NotFoundError('No such team share.');
  deps.security.record({
    event: 'share.removed',
    outcome: 'success',
    userId: caller.id,
    actorUserId: caller.id,
    reason: `${accountId}:team:${teamId}`,
  });
}

/**
 * Access through teams when the user has no direct membership: the best role of the teams the account
 * is shared with and the user belongs to, read on every request (a membership change counts on the
 * next one). Guests and login-only users get collaborator rights at most.
 */
export async function teamMembership(
  accountId: string,
  user: User,
  deps: Pick<TeamDeps, 'directory'>,
): Promise<Membership | undefined> {
  const grants = await deps.directory.teamGrants(accountId);
  if (grants.length === 0) return undefined;
  const memberOf = new Set(
    await deps.directory.teamsWithMember(
      grants.map((grant) => grant.teamId),
      user.id,
    ),
  );
  const held = grants.filter((grant) => memberOf.has(grant.teamId));
  const best = held.find((grant) => grant.role === 'owner') ?? held[0];
  if (!best) return undefined;
  const role = best.role === 'owner' && mayOwnAccounts(user.workspaceRole) ? 'owner' : 'collaborator';
  return { accountId, userId: user.id, role, addedAt: best.addedAt };
}

/** Everyone who gets the account's inbox notifications through its teams. */
export async function teamRecipients(
  accountId: string,
  deps: Pick<TeamDeps, 'directory'>,
): Promise<string[]> {
  const grants = await deps.directory.teamGrants(accountId);
  const members = await Promise.all(grants.map((grant) => deps.directory.listTeamMembers(grant.teamId)));
  return [...new Set(members.flat().map((member) => member.value))];
}
