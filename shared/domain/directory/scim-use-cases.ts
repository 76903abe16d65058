import type { DomainEvent } from '../events';
import type { Clock, IdGenerator } from '../ports';
import type { VaultRole } from '../secrets/model';
import type { VaultRepository } from '../secrets/ports';
import { applyDeprovisioning, type DeprovisionDeps } from '../users/deprovision-user';
import type { User } from '../users/model';
import type { DirectoryRepository, Page } from './ports';
import {
  type DirectoryUser,
  displayNameOf,
  primaryEmail,
  SCIM,
  SCIM_LIMITS,
  ScimError,
  type ScimUserData,
  scimNotFound,
  type Team,
  toScimGroup,
  toScimUser,
} from './scim-model';
import type { ScimProtocol } from './scim-protocol';

export interface ScimDeps {
  directory: DirectoryRepository;
  protocol: ScimProtocol;
  clock: Clock;
  newId: IdGenerator;
  deprovision: DeprovisionDeps;
  /** The vault grants teams hold (secrets context): a deleted group's go with it. */
  vaultGrants?: Pick<VaultRepository, 'vaultsOf' | 'removeVaultGrant'>;
}

/** Who is calling: the workspace whose SCIM token was presented, and the base URL for `location`. */
export interface ScimContext {
  workspaceId: string;
  baseUrl: string;
}

export interface ListQuery {
  filter?: string | undefined;
  startIndex: number;
  count: number;
}

function event(
  deps: ScimDeps,
  workspaceId: string,
  type: string,
  detail: Record<string, unknown>,
): DomainEvent {
  return { id: deps.newId('evt'), type, occurredAt: deps.clock.now().toISOString(), workspaceId, detail };
}

function listResponse(resources: Record<string, unknown>[], total: number, startIndex: number) {
  return {
    schemas: [SCIM.listResponse],
    totalResults: total,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

/** Filtered lists: an index lookup when the filter allows one, else the workspace partition under a cap. */
async function filtered<T>(
  plan: ReturnType<ScimProtocol['planFilter']>,
  lookup: () => Promise<T[]>,
  scan: () => Promise<T[] | 'tooMany'>,
  represent: (item: T) => Record<string, unknown>,
): Promise<Record<string, unknown>[]> {
  const candidates = plan.index ? await lookup() : await scan();
  if (candidates === 'tooMany') {
    throw new ScimError(
      400,
      `This filter cannot use an index and the workspace has more than ${SCIM_LIMITS.filterScanCap} resources; filter by userName, externalId, emails or displayName with eq.`,
      'tooMany',
    );
  }
  return candidates.map(represent).filter((resource) => plan.matches(resource));
}

async function pageOf<T>(
  query: ListQuery,
  represent: (item: T) => Record<string, unknown>,
  filteredList: (expression: string) => Promise<Record<string, unknown>[]>,
  page: (offset: number, count: number) => Promise<Page<T>>,
) {
  if (query.filter) {
    const all = await filteredList(query.filter);
    const slice = all.slice(query.startIndex - 1, query.startIndex - 1 + query.count);
    return listResponse(slice, all.length, query.startIndex);
  }
  const found = await page(query.startIndex - 1, query.count);
  return listResponse(found.items.map(represent), found.total, query.startIndex);
}

// Users

export async function listUsers(context: ScimContext, query: ListQuery, deps: ScimDeps) {
  const represent = (entry: DirectoryUser) => toScimUser(entry, context.baseUrl);
  return pageOf(
    query,
    represent,
    (expression) => {
      const plan = deps.protocol.planFilter(expression, 'User');
      return filtered(
        plan,
        async () => {
          const index = plan.index as NonNullable<typeof plan.index>;
          const ids = await deps.directory.findUserIds(
            context.workspaceId,
            index.attribute as never,
            index.value,
          );
          const users = await Promise.all(ids.map((id) => deps.directory.getUser(context.workspaceId, id)));
          return users.filter((user): user is DirectoryUser => user !== undefined);
        },
        () => deps.directory.scanUsers(context.workspaceId, SCIM_LIMITS.filterScanCap),
        represent,
      );
    },
    (offset, count) => deps.directory.pageUsers(context.workspaceId, offset, count),
  );
}

async function requireUser(context: ScimContext, userId: string, deps: ScimDeps) {
  const entry = await deps.directory.getUser(context.workspaceId, userId);
  if (!entry) throw scimNotFound('User');
  return entry;
}

export async function getUser(context: ScimContext, userId: string, deps: ScimDeps) {
  return toScimUser(await requireUser(context, userId, deps), context.baseUrl);
}

/**
 * POST /Users. A user who already exists in the workspace as a just-in-time user (same email, not yet
 * managed by SCIM) is adopted: same id, now managed by SCIM, instead of a 409.
 */
export async function createUser(context: ScimContext, body: unknown, deps: ScimDeps) {
  const { data, active } = deps.protocol.parseUser(body);
  const email = primaryEmail(data);
  if (!email)
    throw new ScimError(400, 'A user needs an email (emails, or an email as userName).', 'invalidValue');
  const now = deps.clock.now();
  const provisioned = (userId: string, adopted: boolean) =>
    event(deps, context.workspaceId, 'user.provisioned', {
      userId,
      email,
      adopted,
      externalId: data.externalId,
    });

  const sameEmail = await deps.directory.findUserIds(context.workspaceId, 'email', email);
  for (const id of sameEmail) {
    const existing = await deps.directory.getUser(context.workspaceId, id);
    if (existing && !existing.scim) {
      const adopted = await deps.directory.adoptUser(existing, data, provisioned(id, true));
      return finishActive(context, adopted, active, deps);
    }
  }
  const user: User = {
    id: deps.newId('usr'),
    workspaceId: context.workspaceId,
    email,
    name: displayNameOf(data),
    workspaceRole: 'user',
    status: 'active',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const created = await deps.directory.createUser(user, data, provisioned(user.id, false));
  return finishActive(context, created, active, deps);
}

/** `active` is Latchkey's user status: false goes through the one deprovisioning use case. */
async function finishActive(
  context: ScimContext,
  entry: DirectoryUser,
  active: boolean | undefined,
  deps: ScimDeps,
) {
  const isActive = entry.user.status === 'active';
  if (active === false && isActive) {
    await applyDeprovisioning(entry.user, { via: 'scim' }, deps.deprovision);
  } else if (active === true && !isActive) {
    const current = await requireUser(context, entry.user.id, deps);
    const outcome = await deps.directory.reactivateUser(
      current,
      deps.clock.now(),
      event(deps, context.workspaceId, 'user.reactivated', { userId: current.user.id }),
    );
    if (outcome === 'conflict') throw new ScimError(409, 'The user changed meanwhile; retry.');
  } else {
    return toScimUser(entry, context.baseUrl);
  }
  return toScimUser(await requireUser(context, entry.user.id, deps), context.baseUrl);
}

async function writeUser(
  context: ScimContext,
  userId: string,
  deps: ScimDeps,
  next: (current: DirectoryUser) => { data: ScimUserData; active?: boolean },
) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await requireUser(context, userId, deps);
    const { data, active } = next(current);
    if (!primaryEmail(data)) throw new ScimError(400, 'A user needs an email.', 'invalidValue');
    const unchanged = JSON.stringify(data) === JSON.stringify(current.scim);
    const written = unchanged ? current : await deps.directory.updateUser(current, data, deps.clock.now());
    if (written !== 'conflict') return finishActive(context, written, active, deps);
  }
  throw new ScimError(409, 'The user kept changing; retry.');
}

/** PUT /Users/{id}: the whole resource replaced (Okta updates users this way). */
export async function replaceUser(context: ScimContext, userId: string, body: unknown, deps: ScimDeps) {
  const parsed = deps.protocol.parseUser(body);
  const id = (body as { id?: unknown } | null)?.id;
  if (typeof id === 'string' && id !== userId) throw new ScimError(400, 'id is immutable.', 'mutability');
  return writeUser(context, userId, deps, () => parsed);
}

/** PATCH /Users/{id}: the operations applied to the current representation, then validated again. */
export async function patchUser(context: ScimContext, userId: string, body: unknown, deps: ScimDeps) {
  return writeUser(context, userId, deps, (current) => {
    const representation = toScimUser(current, context.baseUrl);
    const patched = deps.protocol.applyPatch(representation, body);
    if (patched.id !== representation.id) throw new ScimError(400, 'id is immutable.', 'mutability');
    return deps.protocol.parseUser(patched);
  });
}

/** DELETE /Users/{id}: deprovisioned (the one use case), then gone from SCIM (404 afterwards). */
export async function deleteUser(context: ScimContext, userId: string, deps: ScimDeps) {
  const current = await requireUser(context, userId, deps);
  await applyDeprovisioning(current.user, { via: 'scim' }, deps.deprovision);
  await deps.directory.removeUser(await requireUser(context, userId, deps), deps.clock.now());
}

// Groups (teams)

const MEMBERS_EXCLUDED = (excluded: string[]) => excluded.some((name) => name.toLowerCase() === 'members');

async function representGroup(context: ScimContext, team: Team, withMembers: boolean, deps: ScimDeps) {
  const members = withMembers ? await deps.directory.listTeamMembers(team.id) : undefined;
  if (members && members.length > SCIM_LIMITS.maxInlineMembers) {
    throw new ScimError(400, 'Too many members to return inline; use excludedAttributes=members.', 'tooMany');
  }
  return toScimGroup(team, members, context.baseUrl);
}

export async function listGroups(context: ScimContext, query: ListQuery, excluded: string[], deps: ScimDeps) {
  const withMembers = !MEMBERS_EXCLUDED(excluded);
  const represent = (team: Team) => toScimGroup(team, undefined, context.baseUrl);
  const response = await pageOf(
    query,
    represent,
    async (expression) => {
      const plan = deps.protocol.planFilter(expression, 'Group');
      const needsMembers = /members/i.test(expression);
      const memberLists = new Map<string, Awaited<ReturnType<DirectoryRepository['listTeamMembers']>>>();
      const load = async (list: Team[]) => {
        if (needsMembers) {
          for (const team of list) memberLists.set(team.id, await deps.directory.listTeamMembers(team.id));
        }
        return list;
      };
      return filtered(
        plan,
        async () => {
          const index = plan.index as NonNullable<typeof plan.index>;
          const ids = await deps.directory.findTeamIds(
            context.workspaceId,
            index.attribute as never,
            index.value,
          );
          const found = await Promise.all(ids.map((id) => deps.directory.getTeam(context.workspaceId, id)));
          return load(found.filter((team): team is Team => team !== undefined));
        },
        async () => {
          const all = await deps.directory.scanTeams(context.workspaceId, SCIM_LIMITS.filterScanCap);
          return all === 'tooMany' ? all : load(all);
        },
        (team) => toScimGroup(team, memberLists.get(team.id), context.baseUrl),
      );
    },
    (offset, count) => deps.directory.pageTeams(context.workspaceId, offset, count),
  );
  const resources = await Promise.all(
    response.Resources.map(async (resource) => {
      const team = await deps.directory.getTeam(context.workspaceId, String(resource.id));
      return team ? representGroup(context, team, withMembers, deps) : resource;
    }),
  );
  return { ...response, Resources: resources };
}

async function requireTeam(context: ScimContext, teamId: string, deps: ScimDeps) {
  const team = await deps.directory.getTeam(context.workspaceId, teamId);
  if (!team) throw scimNotFound('Group');
  return team;
}

export async function getGroup(context: ScimContext, teamId: string, excluded: string[], deps: ScimDeps) {
  return representGroup(context, await requireTeam(context, teamId, deps), !MEMBERS_EXCLUDED(excluded), deps);
}

/** Members must be users of this workspace: anyone else is 400 invalidValue, never silently shared. */
async function checkMembers(context: ScimContext, ids: string[], deps: ScimDeps) {
  for (const id of new Set(ids)) {
    if (!(await deps.directory.getUser(context.workspaceId, id))) {
      throw new ScimError(400, `Member ${id} is not a user of this workspace.`, 'invalidValue');
    }
  }
}

function membershipEvent(deps: ScimDeps, team: Team) {
  return (added: string[], removed: string[]) =>
    event(deps, team.workspaceId, 'team.membership_changed', { teamId: team.id, added, removed });
}

export async function createGroup(context: ScimContext, body: unknown, deps: ScimDeps) {
  const input = deps.protocol.parseGroup(body);
  const members = [...new Set(input.members ?? [])];
  await checkMembers(context, members, deps);
  const now = deps.clock.now().toISOString();
  const team = await deps.directory.createTeam({
    id: deps.newId('team'),
    workspaceId: context.workspaceId,
    displayName: input.displayName,
    ...(input.externalId ? { externalId: input.externalId } : {}),
    memberCount: 0,
    createdAt: now,
    updatedAt: now,
    version: 1,
  });
  if (members.length) {
    const written = await deps.directory.updateTeam(
      team,
      {
        displayName: team.displayName,
        ...(team.externalId ? { externalId: team.externalId } : {}),
        add: members,
        remove: [],
      },
      deps.clock.now(),
      membershipEvent(deps, team),
    );
    if (written === 'conflict') throw new ScimError(409, 'The group changed meanwhile; retry.');
  }
  return representGroup(context, await requireTeam(context, team.id, deps), true, deps);
}

async function writeGroup(
  context: ScimContext,
  teamId: string,
  deps: ScimDeps,
  next: (team: Team, members: string[]) => { displayName: string; externalId?: string; members?: string[] },
  returnBody: boolean,
) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const team = await requireTeam(context, teamId, deps);
    const members = (await deps.directory.listTeamMembers(team.id)).map((member) => member.value);
    const wanted = next(team, members);
    const target = wanted.members ? [...new Set(wanted.members)] : members;
    const add = target.filter((id) => !members.includes(id));
    const remove = members.filter((id) => !target.includes(id));
    await checkMembers(context, add, deps);
    const written = await deps.directory.updateTeam(
      team,
      {
        displayName: wanted.displayName,
        ...(wanted.externalId ? { externalId: wanted.externalId } : {}),
        add,
        remove,
      },
      deps.clock.now(),
      membershipEvent(deps, team),
    );
    if (written !== 'conflict') {
      return returnBody ? representGroup(context, written, true, deps) : undefined;
    }
  }
  throw new ScimError(409, 'The group kept changing; retry.');
}

export async function replaceGroup(context: ScimContext, teamId: string, body: unknown, deps: ScimDeps) {
  const input = deps.protocol.parseGroup(body);
  return writeGroup(context, teamId, deps, () => ({ ...input, members: input.members ?? [] }), true);
}

/** Entra ID and Okta expect 204 from a group PATCH by default; the body is returned when asked for. */
export async function patchGroup(context: ScimContext, teamId: string, body: unknown, deps: ScimDeps) {
  return writeGroup(
    context,
    teamId,
    deps,
    (team, members) => {
      const representation = toScimGroup(
        team,
        members.map((value) => ({ value })),
        context.baseUrl,
      );
      const patched = deps.protocol.applyPatch(representation, body);
      if (patched.id !== team.id) throw new ScimError(400, 'id is immutable.', 'mutability');
      return deps.protocol.parseGroup({ ...patched, members: patched.members ?? [] });
    },
    false,
  );
}

export async function deleteGroup(context: ScimContext, teamId: string, deps: ScimDeps) {
  const team = await requireTeam(context, teamId, deps);
  const members = (await deps.directory.listTeamMembers(team.id)).map((member) => member.value);
  // Its members lose what the team was given: the grants go with the team.
  for (const accountId of await deps.directory.accountsOfTeam(team.id)) {
    await deps.directory.removeTeamGrant(accountId, team.id);
  }
  await removeVaultGrantsOf(team.id, deps);
  await deps.directory.deleteTeam(team, members, membershipEvent(deps, team)([], members));
}

/**
 * Drops every vault grant a team holds. A vault whose only manager was this team keeps the grant
 * (`last_manager`): it is inert once the team is gone, and the vault stays listed for admins rather
 * than becoming unmanageable.
 */
async function removeVaultGrantsOf(teamId: string, deps: ScimDeps) {
  if (!deps.vaultGrants) return;
  const held: { vaultId: string; role: VaultRole }[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.vaultGrants.vaultsOf(teamId, { limit: 100, cursor });
    held.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  for (const grant of held) await deps.vaultGrants.removeVaultGrant(grant.vaultId, teamId, grant.role);
}
