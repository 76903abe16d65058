import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { teamMembership, teamRecipients } from '../domain/directory/teams';
import { teamPrincipals } from '../domain/secrets/ports';
import type { User } from '../domain/users/model';
import { makeAccountRepository } from './dynamodb/account-repository';
import { makeTeamReads } from './dynamodb/directory-reads';
import { makeDirectoryRepository } from './dynamodb/directory-repository';
import { makeShareLinkRepository } from './dynamodb/share-link-repository';

/** Access to accounts through teams, for the groups that check account access or notify members. */
export function makeTeamAccess(doc: DynamoDBDocumentClient, tableName: string) {
  const deps = { directory: makeDirectoryRepository(doc, tableName) };
  return {
    teamAccess: (accountId: string, user: User) => teamMembership(accountId, user, deps),
    teamRecipients: (accountId: string) => teamRecipients(accountId, deps),
  };
}

/**
 * What deprovisioning needs beyond the core: the accounts a user could use, directly and through
 * teams (for the event), and the revocation of the share links they own.
 */
export function makeAccessLister(doc: DynamoDBDocumentClient, tableName: string) {
  const directory = makeDirectoryRepository(doc, tableName);
  const links = makeShareLinkRepository(doc, tableName);
  return {
    revokeShareLinksOf: (ownerId: string) => links.revokeForOwner(ownerId),
    accounts: makeAccountRepository(doc, tableName),
    teamsOf: directory.teamsOfUser,
    accountsThroughTeams: async (userId: string) => {
      const teams = await directory.teamsOfUser(userId);
      const lists = await Promise.all(teams.map((teamId) => directory.accountsOfTeam(teamId)));
      return [...new Set(lists.flat())];
    },
  };
}

/** Teams as principals of vaults and secrets: who a user acts as, and which teams can be granted. */
export function makeSecretPrincipals(doc: DynamoDBDocumentClient, tableName: string) {
  // The team reads alone, not the whole directory repository (bundle budget, docs/performance.md).
  const teams = makeTeamReads(doc, tableName);
  return { principalsOf: teamPrincipals(teams.teamsOfUser), teams };
}
