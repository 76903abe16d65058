import type { DomainEvent } from '../events';
import type { CallerIdentity, User, Workspace } from '../users/model';
import type {
  DirectoryUser,
  IndexedGroupAttribute,
  IndexedUserAttribute,
  ScimUserData,
  Team,
} from './scim-model';
import type { DirectorySettings } from './settings';

/** One page of a list, and how many items the whole list holds (SCIM `totalResults`). */
export interface Page<T> {
  items: T[];
  total: number;
}

/** An account shared with a team: every member gets `role` (capped by their workspace role). */
export interface TeamGrant {
  accountId: string;
  teamId: string;
  role: 'owner' | 'collaborator';
  addedAt: string;
}

/** A team member as listed: the user id and the name shown for it. */
export interface TeamMember {
  value: string;
  display?: string;
}

/**
 * The workspace directory in DynamoDB: SCIM-managed users and teams, the claim items that keep
 * `userName` and `externalId` unique, and the outbox item of each change, written in one transaction.
 */
export interface DirectoryRepository {
  /** A user of this workspace still listed by SCIM (undefined for another workspace or after DELETE). */
  getUser(workspaceId: string, userId: string): Promise<DirectoryUser | undefined>;
  /** User ids an indexed attribute equals (case-insensitively except `externalId`), by query. */
  findUserIds(workspaceId: string, attribute: IndexedUserAttribute, value: string): Promise<string[]>;
  /** Every listed user of the workspace, or `tooMany` past `cap` (then nothing is returned). */
  scanUsers(workspaceId: string, cap: number): Promise<DirectoryUser[] | 'tooMany'>;
  /** Users `offset`..`offset+count` in a stable order, with the total. */
  pageUsers(workspaceId: string, offset: number, count: number): Promise<Page<DirectoryUser>>;
  /** Creates the user with its claims; throws ScimError 409 uniqueness when a claim is taken. */
  createUser(user: User, scim: ScimUserData, event: DomainEvent): Promise<DirectoryUser>;
  /** A just-in-time user becomes SCIM-managed (same id); conflict when someone else changed it first. */
  adoptUser(existing: DirectoryUser, scim: ScimUserData, event: DomainEvent): Promise<DirectoryUser>;
  /** Replaces the SCIM data (and the name/email derived from it) if the version is still `previous.version`. */
  updateUser(previous: DirectoryUser, scim: ScimUserData, now: Date): Promise<DirectoryUser | 'conflict'>;
  /** Releases the claims and hides the (already deprovisioned) user from SCIM. */
  removeUser(previous: DirectoryUser, now: Date): Promise<void>;
  /** Marks a deprovisioned user active again, with its event; devices stay disabled. */
  reactivateUser(previous: DirectoryUser, now: Date, event: DomainEvent): Promise<'applied' | 'conflict'>;

  getTeam(workspaceId: string, teamId: string): Promise<Team | undefined>;
  listTeamMembers(teamId: string): Promise<TeamMember[]>;
  findTeamIds(workspaceId: string, attribute: IndexedGroupAttribute, value: string): Promise<string[]>;
  scanTeams(workspaceId: string, cap: number): Promise<Team[] | 'tooMany'>;
  pageTeams(workspaceId: string, offset: number, count: number): Promise<Page<Team>>;
  createTeam(team: Team): Promise<Team>;
  /** Renames and changes members; one transaction per chunk of members, each with its event. */
  updateTeam(
    previous: Team,
    changes: { displayName: string; externalId?: string; add: string[]; remove: string[] },
    now: Date,
    event: (added: string[], removed: string[]) => DomainEvent,
  ): Promise<Team | 'conflict'>;
  deleteTeam(team: Team, members: string[], event: DomainEvent): Promise<void>;
  /**
   * Links a first sign-in to the one SCIM-provisioned (or bootstrap-invited), not yet linked user of
   * the workspace: by the token's `oid`/subject equal to the SCIM `externalId` when the settings link
   * by external id, else by an email the issuer asserted as verified (never on an unverified email:
   * the nOAuth takeover). Undefined when there is none, or it is ambiguous.
   */
  linkIdentity(
    identity: CallerIdentity,
    settings: DirectorySettings,
    workspace: Workspace,
  ): Promise<User | undefined>;
  /** Shares an account with a team (or changes the team's role); conditional on the team existing. */
  putTeamGrant(grant: TeamGrant): Promise<'applied' | 'no_team'>;
  removeTeamGrant(accountId: string, teamId: string): Promise<boolean>;
  /** The teams an account is shared with. */
  teamGrants(accountId: string): Promise<TeamGrant[]>;
  /** The accounts shared with a team. */
  accountsOfTeam(teamId: string): Promise<string[]>;
  /** Which of these teams have the user as a member, in one batched read. */
  teamsWithMember(teamIds: readonly string[], userId: string): Promise<string[]>;
  /**
   * Users of the workspace for the sharing picker: by email prefix and display-name prefix when `prefix`
   * is given, else the whole workspace by email, a page at a time.
   */
  searchUsers(
    workspaceId: string,
    options: { prefix?: string | undefined; limit: number; cursor?: string | undefined },
  ): Promise<{ users: User[]; nextCursor: string | null }>;
  /**
   * Changes a user's workspace role if it is still `from`; demoting an owner also checks, in the same
   * transaction, that `otherOwnerId` is still an active owner (so the last owner can never be demoted).
   */
  setRole(
    user: User,
    from: User['workspaceRole'],
    to: User['workspaceRole'],
    otherOwnerId: string | undefined,
    now: Date,
  ): Promise<'applied' | 'conflict'>;
  /** Up to `limit` active owners of the workspace. */
  owners(workspaceId: string, limit: number): Promise<User[]>;
  /** The teams a user belongs to (effective access, and the deprovisioning event's account list). */
  teamsOfUser(userId: string): Promise<string[]>;
}
