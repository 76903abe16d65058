import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/table';
import type { DirectoryRepository, TeamGrant, TeamMember } from '../../domain/directory/ports';
import {
  type DirectoryUser,
  displayNameOf,
  primaryEmail,
  ScimError,
  type ScimUserData,
  type Team,
} from '../../domain/directory/scim-model';
import { InvalidCursorError } from '../../domain/errors';
import type { DomainEvent } from '../../domain/events';
import type { User } from '../../domain/users/model';
import { cancellationCodes, isActiveOwnerOf, itemExists, itemIsNew } from './conditions';
import {
  byGsi,
  directoryKeys,
  directoryReads,
  makeIdentityLinker,
  makeTeamReads,
  toDirectoryUser,
  toTeam,
} from './directory-reads';
import { outboxPut } from './outbox';
import { userKeys } from './user-repository';

const PK = TABLE.partitionKey;
const SK = TABLE.sortKey;
const GPK = TABLE.gsi1.partitionKey;
const GSK = TABLE.gsi1.sortKey;

const ENTITY = {
  claim: 'ScimClaim',
  nameIndex: 'UserNameIndex',
  team: 'Team',
  member: 'TeamMember',
  grant: 'TeamGrant',
};

/** The user item is at `version` (a user written before SCIM has none: version 0). */
function atVersion(version: number) {
  return version === 0
    ? {
        ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#version)',
        ExpressionAttributeNames: { '#pk': PK, '#version': 'version' },
      }
    : {
        ConditionExpression: 'attribute_exists(#pk) AND #version = :expected',
        ExpressionAttributeNames: { '#pk': PK, '#version': 'version' },
        ExpressionAttributeValues: { ':expected': version },
      };
}

/** Transaction items per chunk of team members, leaving room for the team item and the event. */
const MEMBERS_PER_TRANSACTION = 90;

export function makeDirectoryRepository(doc: DynamoDBDocumentClient, tableName: string): DirectoryRepository {
  const reads = directoryReads(doc, tableName);
  const { get, queryAll, claimOwner } = reads;
  const teams = makeTeamReads(doc, tableName);

  async function getUsers(ids: string[]): Promise<DirectoryUser[]> {
    const found: DirectoryUser[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      let keys = ids.slice(i, i + 100).map((id) => userKeys.user(id));
      while (keys.length) {
        const out = await doc.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of out.Responses?.[tableName] ?? []) {
          if (!item.scimDeleted) found.push(toDirectoryUser(item));
        }
        keys = (out.UnprocessedKeys?.[tableName]?.Keys as typeof keys | undefined) ?? [];
      }
    }
    const order = new Map(ids.map((id, index) => [id, index]));
    return found.sort((a, b) => (order.get(a.user.id) ?? 0) - (order.get(b.user.id) ?? 0));
  }

  async function getUser(workspaceId: string, userId: string) {
    const item = await get(userKeys.user(userId));
    if (!item || item.scimDeleted) return undefined;
    const entry = toDirectoryUser(item);
    return entry.user.workspaceId === workspaceId ? entry : undefined;
  }

  async function findUserIds(workspaceId: string, attribute: string, value: string): Promise<string[]> {
    const usersByEmail = () => reads.usersByEmail(workspaceId, value);
    switch (attribute) {
      case 'userName': {
        const claimed = await claimOwner(directoryKeys.userName(workspaceId, value));
        if (claimed.length) return claimed;
        // A just-in-time user has no claim: its userName is its email.
        return (await usersByEmail()).filter((user) => !user.managed).map((user) => user.id);
      }
      case 'externalId':
        return claimOwner(directoryKeys.userExternalId(workspaceId, value));
      case 'email':
        return (await usersByEmail()).map((user) => user.id);
      default: {
        const prefix = directoryKeys.userDisplayName(workspaceId, value, '');
        const items = await queryAll({
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sk)',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: { ':pk': prefix[PK], ':sk': prefix[SK] },
          ConsistentRead: true,
        });
        return items.map((item) => String(item.userId));
      }
    }
  }

  async function scanUsers(workspaceId: string, cap: number) {
    const items = await queryAll(byGsi(directoryKeys.workspaceUsers(workspaceId)), cap);
    if (items.length > cap) return 'tooMany' as const;
    return items.filter((item) => !item.scimDeleted).map(toDirectoryUser);
  }

  async function count(input: Omit<QueryCommandInput, 'TableName'>) {
    let total = 0;
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          ...input,
          Select: 'COUNT',
          ...(cursor ? { ExclusiveStartKey: cursor } : {}),
        }),
      );
      total += page.Count ?? 0;
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return total;
  }

  /** Offset paging over a gsi1 partition: SCIM's startIndex has no cursor, so earlier keys are skipped. */
  async function page(partition: string, offset: number, size: number) {
    const query = byGsi(partition);
    const total = await count(query);
    if (offset >= total || size === 0) return { keys: [] as Record<string, unknown>[], total };
    const items = await queryAll(
      {
        ...query,
        ProjectionExpression: '#id',
        ExpressionAttributeNames: { ...query.ExpressionAttributeNames, '#id': 'id' },
      },
      offset + size,
    );
    return { keys: items.slice(offset, offset + size), total };
  }

  async function pageUsers(workspaceId: string, offset: number, size: number) {
    const { keys, total } = await page(directoryKeys.workspaceUsers(workspaceId), offset, size);
    return { items: await getUsers(keys.map((key) => String(key.id))), total };
  }

  /** The unique-claim keys a SCIM user holds: its userName, and its externalId when it has one. */
  const claimKeys = (user: User, scim: ScimUserData) => [
    directoryKeys.userName(user.workspaceId, scim.userName),
    ...(scim.externalId ? [directoryKeys.userExternalId(user.workspaceId, scim.externalId)] : []),
  ];

  function claimPuts(user: User, scim: ScimUserData) {
    return claimKeys(user, scim).map((key) => ({
      Put: {
        TableName: tableName,
        Item: { ...key, [TABLE.entityAttribute]: ENTITY.claim, userId: user.id },
        ...itemIsNew,
      },
    }));
  }

  function claimDeletes(user: User, scim: ScimUserData | undefined) {
    if (!scim) return [];
    const owned = {
      ConditionExpression: '#userId = :userId',
      ExpressionAttributeNames: { '#userId': 'userId' },
      ExpressionAttributeValues: { ':userId': user.id },
    };
    return claimKeys(user, scim).map((Key) => ({ Delete: { TableName: tableName, Key, ...owned } }));
  }

  const nameIndexPut = (user: User) => ({
    Put: {
      TableName: tableName,
      Item: {
        ...directoryKeys.userDisplayName(user.workspaceId, user.name, user.id),
        [TABLE.entityAttribute]: ENTITY.nameIndex,
        userId: user.id,
      },
    },
  });
  const nameIndexDelete = (user: User) => ({
    Delete: {
      TableName: tableName,
      Key: directoryKeys.userDisplayName(user.workspaceId, user.name, user.id),
    },
  });

  /** Runs a transaction; a failed claim (items `claimIndexes`) is a 409 uniqueness. */
  async function transact(items: unknown[], claimIndexes: number[]): Promise<'applied' | 'conflict'> {
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: items as never }));
      return 'applied';
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      if (claimIndexes.some((index) => codes[index] === 'ConditionalCheckFailed')) {
        throw new ScimError(409, 'userName or externalId is already taken in this workspace.', 'uniqueness');
      }
      return 'conflict';
    }
  }

  async function createUser(user: User, scim: ScimUserData, event: DomainEvent) {
    const claims = claimPuts(user, scim);
    const items = [
      ...claims,
      {
        Put: {
          TableName: tableName,
          Item: {
            ...userKeys.user(user.id),
            ...userKeys.workspaceMember(user.workspaceId, user.email),
            [TABLE.entityAttribute]: 'User',
            ...user,
            scim,
            version: 1,
          },
          ...itemIsNew,
        },
      },
      { ConditionCheck: { TableName: tableName, Key: userKeys.workspace(user.workspaceId), ...itemExists } },
      nameIndexPut(user),
      outboxPut(tableName, event),
    ];
    if (
      (await transact(
        items,
        claims.map((_, i) => i),
      )) === 'conflict'
    ) {
      throw new Error(`user ${user.id} could not be created`);
    }
    return { user, scim, version: 1 };
  }

  function userUpdate(previous: DirectoryUser, scim: ScimUserData, now: Date) {
    const name = displayNameOf(scim);
    const email = primaryEmail(scim) ?? previous.user.email;
    const user: User = { ...previous.user, name, email, updatedAt: now.toISOString() };
    const version = previous.version + 1;
    const condition = atVersion(previous.version);
    const item = {
      Update: {
        TableName: tableName,
        Key: userKeys.user(user.id),
        UpdateExpression:
          'SET #scim = :scim, #name = :name, #email = :email, #gsk = :gsk, #updatedAt = :now, #version = :version',
        ConditionExpression: condition.ConditionExpression,
        ExpressionAttributeNames: {
          ...condition.ExpressionAttributeNames,
          '#scim': 'scim',
          '#name': 'name',
          '#email': 'email',
          '#gsk': GSK,
          '#updatedAt': 'updatedAt',
        },
        ExpressionAttributeValues: {
          ...('ExpressionAttributeValues' in condition ? condition.ExpressionAttributeValues : {}),
          ':scim': scim,
          ':name': name,
          ':email': email,
          ':gsk': userKeys.workspaceMember(user.workspaceId, email)[GSK],
          ':now': user.updatedAt,
          ':version': version,
        },
      },
    };
    return { user, version, item };
  }

  async function adoptUser(existing: DirectoryUser, scim: ScimUserData, event: DomainEvent) {
    const { user, version, item } = userUpdate(existing, scim, new Date(event.occurredAt));
    const claims = claimPuts(user, scim);
    const items = [
      ...claims,
      item,
      nameIndexDelete(existing.user),
      nameIndexPut(user),
      outboxPut(tableName, event),
    ];
    if (
      (await transact(
        items,
        claims.map((_, i) => i),
      )) === 'conflict'
    ) {
      throw new ScimError(409, 'The user changed while being adopted; retry.', 'uniqueness');
    }
    return { user, scim, version };
  }

  async function updateUser(previous: DirectoryUser, scim: ScimUserData, now: Date) {
    const { user, version, item } = userUpdate(previous, scim, now);
    const old = previous.scim;
    const changedClaims: unknown[] = [];
    const newClaims: unknown[] = [];
    const puts = claimPuts(user, scim);
    const dels = claimDeletes(user, old);
    if (!old || old.userName.toLowerCase() !== scim.userName.toLowerCase()) {
      newClaims.push(puts[0]);
      if (dels[0]) changedClaims.push(dels[0]);
    }
    if ((old?.externalId ?? '') !== (scim.externalId ?? '')) {
      if (scim.externalId) newClaims.push(puts.at(-1));
      if (old?.externalId) changedClaims.push(dels.at(-1));
    }
    const items = [
      ...newClaims,
      ...changedClaims,
      item,
      ...(previous.user.name !== user.name ? [nameIndexDelete(previous.user), nameIndexPut(user)] : []),
    ];
    const outcome = await transact(
      items,
      newClaims.map((_, i) => i),
    );
    return outcome === 'applied' ? { user, scim, version } : ('conflict' as const);
  }

  async function removeUser(previous: DirectoryUser, now: Date) {
    const condition = atVersion(previous.version);
    const items = [
      ...claimDeletes(previous.user, previous.scim),
      nameIndexDelete(previous.user),
      {
        Update: {
          TableName: tableName,
          Key: userKeys.user(previous.user.id),
          // Out of the workspace's member index too: DELETE removes the user from every listing.
          UpdateExpression: 'SET #deleted = :true, #updatedAt = :now, #version = :version REMOVE #gpk, #gsk',
          ConditionExpression: `${condition.ConditionExpression} AND #status = :deprovisioned`,
          ExpressionAttributeNames: {
            ...condition.ExpressionAttributeNames,
            '#deleted': 'scimDeleted',
            '#updatedAt': 'updatedAt',
            '#gpk': GPK,
            '#gsk': GSK,
            '#status': 'status',
          },
          ExpressionAttributeValues: {
            ...('ExpressionAttributeValues' in condition ? condition.ExpressionAttributeValues : {}),
            ':true': true,
            ':now': now.toISOString(),
            ':version': previous.version + 1,
            ':deprovisioned': 'deprovisioned',
          },
        },
      },
    ];
    if ((await transact(items, [])) === 'conflict') {
      throw new ScimError(409, 'The user changed while being deleted; retry.');
    }
  }

  async function reactivateUser(previous: DirectoryUser, now: Date, event: DomainEvent) {
    const condition = atVersion(previous.version);
    return transact(
      [
        {
          Update: {
            TableName: tableName,
            Key: userKeys.user(previous.user.id),
            UpdateExpression: 'SET #status = :active, #updatedAt = :now, #version = :version',
            ConditionExpression: `${condition.ConditionExpression} AND #status = :deprovisioned`,
            ExpressionAttributeNames: {
              ...condition.ExpressionAttributeNames,
              '#status': 'status',
              '#updatedAt': 'updatedAt',
            },
            ExpressionAttributeValues: {
              ...('ExpressionAttributeValues' in condition ? condition.ExpressionAttributeValues : {}),
              ':active': 'active',
              ':deprovisioned': 'deprovisioned',
              ':now': now.toISOString(),
              ':version': previous.version + 1,
            },
          },
        },
        outboxPut(tableName, event),
      ],
      [],
    );
  }

  // Teams

  async function listTeamMembers(teamId: string): Promise<TeamMember[]> {
    const items = await queryAll({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sk)',
      ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
      ExpressionAttributeValues: { ':pk': directoryKeys.team(teamId)[PK], ':sk': 'MEMBER#' },
      ConsistentRead: true,
    });
    return items.map((item) => ({
      value: String(item.userId),
      ...(typeof item.display === 'string' ? { display: item.display } : {}),
    }));
  }

  async function findTeamIds(workspaceId: string, attribute: string, value: string) {
    if (attribute === 'externalId') {
      const item = await get(directoryKeys.groupExternalId(workspaceId, value));
      return item ? [String(item.teamId)] : [];
    }
    if (attribute === 'member') {
      const items = await queryAll(byGsi(`USER#${value}#TEAMS`));
      return items.filter((item) => item.workspaceId === workspaceId).map((item) => String(item.teamId));
    }
    const prefix = directoryKeys.workspaceTeam(workspaceId, value, '');
    const items = await queryAll(byGsi(prefix[GPK], { op: 'begins_with', value: prefix[GSK] }));
    return items.map((item) => String(item.id));
  }

  async function scanTeams(workspaceId: string, cap: number) {
    const items = await queryAll(byGsi(`WORKSPACE#${workspaceId}#TEAMS`), cap);
    return items.length > cap ? ('tooMany' as const) : items.map(toTeam);
  }

  async function getTeams(ids: string[]) {
    const teams = await Promise.all(ids.map((id) => get(directoryKeys.team(id))));
    return teams.flatMap((item) => (item ? [toTeam(item)] : []));
  }

  async function pageTeams(workspaceId: string, offset: number, size: number) {
    const { keys, total } = await page(`WORKSPACE#${workspaceId}#TEAMS`, offset, size);
    return { items: await getTeams(keys.map((key) => String(key.id))), total };
  }

  const teamExternalClaim = (team: Pick<Team, 'workspaceId' | 'id'>, externalId: string) => ({
    Put: {
      TableName: tableName,
      Item: {
        ...directoryKeys.groupExternalId(team.workspaceId, externalId),
        [TABLE.entityAttribute]: ENTITY.claim,
        teamId: team.id,
      },
      ...itemIsNew,
    },
  });
  const teamExternalRelease = (team: Team, externalId: string) => ({
    Delete: {
      TableName: tableName,
      Key: directoryKeys.groupExternalId(team.workspaceId, externalId),
      ConditionExpression: '#teamId = :teamId',
      ExpressionAttributeNames: { '#teamId': 'teamId' },
      ExpressionAttributeValues: { ':teamId': team.id },
    },
  });

  async function createTeam(team: Team) {
    const items = [
      ...(team.externalId ? [teamExternalClaim(team, team.externalId)] : []),
      {
        Put: {
          TableName: tableName,
          Item: {
            ...directoryKeys.team(team.id),
            ...directoryKeys.workspaceTeam(team.workspaceId, team.displayName, team.id),
            [TABLE.entityAttribute]: ENTITY.team,
            ...team,
          },
          ...itemIsNew,
        },
      },
      { ConditionCheck: { TableName: tableName, Key: userKeys.workspace(team.workspaceId), ...itemExists } },
    ];
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: items as never }));
    } catch (error) {
      if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed' && team.externalId) {
        throw new ScimError(409, 'A group with this externalId already exists.', 'uniqueness');
      }
      throw error;
    }
    return team;
  }

  const memberPut = (team: Team, userId: string) => ({
    Put: {
      TableName: tableName,
      Item: {
        ...directoryKeys.teamMember(team.id, userId),
        ...directoryKeys.memberOf(userId, team.id),
        [TABLE.entityAttribute]: ENTITY.member,
        teamId: team.id,
        userId,
        workspaceId: team.workspaceId,
      },
    },
  });
  const memberDelete = (team: Team, userId: string) => ({
    Delete: { TableName: tableName, Key: directoryKeys.teamMember(team.id, userId) },
  });

  async function updateTeam(
    previous: Team,
    changes: { displayName: string; externalId?: string; add: string[]; remove: string[] },
    now: Date,
    event: (added: string[], removed: string[]) => DomainEvent,
  ) {
    const ops = [
      ...changes.add.map((id) => ({ id, add: true })),
      ...changes.remove.map((id) => ({ id, add: false })),
    ];
    let team = previous;
    let first = true;
    // Thousands of members do not fit one transaction (100 items): one per chunk, each with its event;
    // the first also carries the rename and the version check.
    for (let i = 0; first || i < ops.length; i += MEMBERS_PER_TRANSACTION) {
      const chunk = ops.slice(i, i + MEMBERS_PER_TRANSACTION);
      const added = chunk.filter((op) => op.add).map((op) => op.id);
      const removed = chunk.filter((op) => !op.add).map((op) => op.id);
      const next: Team = {
        ...team,
        ...(first ? { displayName: changes.displayName, externalId: changes.externalId } : {}),
        memberCount: team.memberCount + added.length - removed.length,
        updatedAt: now.toISOString(),
        version: team.version + 1,
      };
      if (next.externalId === undefined) delete next.externalId;
      const externalChanged = first && (previous.externalId ?? '') !== (changes.externalId ?? '');
      const items = [
        ...(externalChanged && changes.externalId ? [teamExternalClaim(next, changes.externalId)] : []),
        ...(externalChanged && previous.externalId
          ? [teamExternalRelease(previous, previous.externalId)]
          : []),
        {
          Put: {
            TableName: tableName,
            Item: {
              ...directoryKeys.team(next.id),
              ...directoryKeys.workspaceTeam(next.workspaceId, next.displayName, next.id),
              [TABLE.entityAttribute]: ENTITY.team,
              ...next,
            },
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':version': team.version },
          },
        },
        ...chunk.map((op) => (op.add ? memberPut(next, op.id) : memberDelete(next, op.id))),
        ...(chunk.length ? [outboxPut(tableName, event(added, removed))] : []),
      ];
      try {
        await doc.send(new TransactWriteCommand({ TransactItems: items as never }));
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        if (externalChanged && changes.externalId && codes[0] === 'ConditionalCheckFailed') {
          throw new ScimError(409, 'A group with this externalId already exists.', 'uniqueness');
        }
        if (first) return 'conflict' as const;
        throw new ScimError(409, 'The group changed while its members were being written; retry.');
      }
      team = next;
      first = false;
    }
    return team;
  }

  async function deleteTeam(team: Team, members: string[], event: DomainEvent) {
    for (let i = 0; i < members.length; i += MEMBERS_PER_TRANSACTION) {
      const chunk = members.slice(i, i + MEMBERS_PER_TRANSACTION);
      await doc.send(
        new TransactWriteCommand({ TransactItems: chunk.map((id) => memberDelete(team, id)) as never }),
      );
    }
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          ...(team.externalId ? [teamExternalRelease(team, team.externalId)] : []),
          { Delete: { TableName: tableName, Key: directoryKeys.team(team.id), ...itemExists } },
          outboxPut(tableName, event),
        ] as never,
      }),
    );
  }

  const userOf = (item: Record<string, unknown>) => toDirectoryUser(item).user;

  async function putTeamGrant(grant: TeamGrant) {
    try {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: { TableName: tableName, Key: directoryKeys.team(grant.teamId), ...itemExists },
            },
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...directoryKeys.teamGrant(grant.accountId, grant.teamId),
                  ...directoryKeys.accountOfTeam(grant.teamId, grant.accountId),
                  [TABLE.entityAttribute]: ENTITY.grant,
                  ...grant,
                },
              },
            },
          ],
        }),
      );
      return 'applied' as const;
    } catch (error) {
      if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') return 'no_team' as const;
      throw error;
    }
  }

  async function removeTeamGrant(accountId: string, teamId: string) {
    try {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: tableName,
                Key: directoryKeys.teamGrant(accountId, teamId),
                ...itemExists,
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (cancellationCodes(error)) return false;
      throw error;
    }
  }

  async function teamGrants(accountId: string): Promise<TeamGrant[]> {
    const prefix = directoryKeys.teamGrant(accountId, '');
    const items = await queryAll({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sk)',
      ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
      ExpressionAttributeValues: { ':pk': prefix[PK], ':sk': prefix[SK] },
      ConsistentRead: true,
    });
    return items.map((item) => ({
      accountId: String(item.accountId),
      teamId: String(item.teamId),
      role: item.role === 'owner' ? 'owner' : 'collaborator',
      addedAt: String(item.addedAt),
    }));
  }

  async function accountsOfTeam(teamId: string) {
    const items = await queryAll(byGsi(`TEAM#${teamId}#ACCOUNTS`));
    return items.map((item) => String(item.accountId));
  }

  /** One BatchGetItem per 100 teams (unprocessed keys resent), not one GetItem per team. */
  async function teamsWithMember(teamIds: readonly string[], userId: string) {
    const found = new Set<string>();
    const unique = [...new Set(teamIds)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys = unique.slice(i, i + 100).map((teamId) => directoryKeys.teamMember(teamId, userId));
      while (keys.length) {
        const out = await doc.send(
          new BatchGetCommand({
            RequestItems: {
              [tableName]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'teamId' },
            },
          }),
        );
        for (const item of out.Responses?.[tableName] ?? []) found.add(String(item.teamId));
        keys = (out.UnprocessedKeys?.[tableName]?.Keys as typeof keys | undefined) ?? [];
      }
    }
    return unique.filter((teamId) => found.has(teamId));
  }

  async function searchUsers(
    workspaceId: string,
    options: { prefix?: string | undefined; limit: number; cursor?: string | undefined },
  ) {
    const partition = directoryKeys.workspaceUsers(workspaceId);
    if (options.prefix) {
      const prefix = options.prefix.toLowerCase();
      const [byEmail, byName] = await Promise.all([
        doc.send(
          new QueryCommand({
            TableName: tableName,
            ...byGsi(partition, { op: 'begins_with', value: `EMAIL#${prefix}` }),
            Limit: options.limit,
          }),
        ),
        doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sk)',
            ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
            ExpressionAttributeValues: {
              ':pk': directoryKeys.userDisplayName(workspaceId, '', '')[PK],
              ':sk': prefix,
            },
            Limit: options.limit,
          }),
        ),
      ]);
      const ids = [
        ...(byEmail.Items ?? []).map((item) => String(item.id)),
        ...(byName.Items ?? []).map((item) => String(item.userId)),
      ];
      const found = await getUsers([...new Set(ids)]);
      return { users: found.map((entry) => entry.user).slice(0, options.limit), nextCursor: null };
    }
    let start: Record<string, unknown> | undefined;
    if (options.cursor) {
      try {
        const id = Buffer.from(options.cursor, 'base64url').toString('utf8');
        const item = /^usr_[\w-]+$/.test(id) ? await get(userKeys.user(id)) : undefined;
        if (!item || item.workspaceId !== workspaceId || !item[GSK]) throw new Error('bad cursor');
        start = { [PK]: item[PK], [SK]: item[SK], [GPK]: item[GPK], [GSK]: item[GSK] };
      } catch {
        throw new InvalidCursorError();
      }
    }
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        ...byGsi(partition),
        Limit: options.limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const users = (page.Items ?? []).map(userOf);
    const last = users.at(-1);
    return {
      users,
      nextCursor: page.LastEvaluatedKey && last ? Buffer.from(last.id).toString('base64url') : null,
    };
  }

  async function setRole(
    user: User,
    from: User['workspaceRole'],
    to: User['workspaceRole'],
    otherOwnerId: string | undefined,
    now: Date,
  ) {
    return transact(
      [
        {
          Update: {
            TableName: tableName,
            Key: userKeys.user(user.id),
            UpdateExpression: 'SET #role = :to, #updatedAt = :now',
            ConditionExpression: '#role = :from AND #status = :active',
            ExpressionAttributeNames: {
              '#role': 'workspaceRole',
              '#status': 'status',
              '#updatedAt': 'updatedAt',
            },
            ExpressionAttributeValues: {
              ':to': to,
              ':from': from,
              ':active': 'active',
              ':now': now.toISOString(),
            },
          },
        },
        ...(otherOwnerId
          ? [
              {
                // Another active owner exists at commit time: the workspace keeps an owner.
                ConditionCheck: {
                  TableName: tableName,
                  Key: userKeys.user(otherOwnerId),
                  ...isActiveOwnerOf(user.workspaceId),
                },
              },
            ]
          : []),
      ],
      [],
    );
  }

  async function owners(workspaceId: string, limit: number) {
    const items = await queryAll({
      ...byGsi(directoryKeys.workspaceUsers(workspaceId)),
      FilterExpression: '#role = :owner AND #status = :active',
      ExpressionAttributeNames: {
        ...byGsi('').ExpressionAttributeNames,
        '#role': 'workspaceRole',
        '#status': 'status',
      },
      ExpressionAttributeValues: {
        ':pk': directoryKeys.workspaceUsers(workspaceId),
        ':owner': 'owner',
        ':active': 'active',
      },
    });
    return items.slice(0, limit).map(userOf);
  }

  return {
    getUser,
    findUserIds,
    scanUsers,
    pageUsers,
    createUser,
    adoptUser,
    updateUser,
    removeUser,
    reactivateUser,
    getTeam: teams.getTeam,
    listTeamMembers,
    findTeamIds,
    scanTeams,
    pageTeams,
    createTeam,
    updateTeam,
    deleteTeam,
    linkIdentity: makeIdentityLinker(doc, tableName).linkIdentity,
    searchUsers,
    setRole,
    owners,
    putTeamGrant,
    removeTeamGrant,
    teamGrants,
    accountsOfTeam,
    teamsWithMember,
    teamsOfUser: teams.teamsOfUser,
  };
}
