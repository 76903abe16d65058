import type { User } from '../users/model';

/** SCIM 2.0 schema and message URNs (RFC 7643 / 7644). */
export const SCIM = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  enterprise: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

/** Limits a demanding IdP admin may want to know (docs/scim.md lists them). */
export const SCIM_LIMITS = {
  /** Default and maximum `count` of a list page. */
  defaultPageSize: 100,
  maxPageSize: 200,
  /** Items a non-indexed filter may examine before answering 400 tooMany. */
  filterScanCap: 2_000,
  /** Members returned inline with a group; past it, ask for `excludedAttributes=members`. */
  maxInlineMembers: 10_000,
  maxBodyBytes: 1024 * 1024,
} as const;

/** SCIM `scimType` values this service answers with (RFC 7644 section 3.12). */
export type ScimType =
  | 'uniqueness'
  | 'invalidFilter'
  | 'invalidSyntax'
  | 'invalidValue'
  | 'invalidPath'
  | 'mutability'
  | 'noTarget'
  | 'tooMany'
  | 'invalidVers';

/** A failure a SCIM client caused or should see: rendered with the SCIM error schema. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly scimType?: ScimType,
  ) {
    super(message);
    this.name = 'ScimError';
  }
}

export const scimNotFound = (what: string) => new ScimError(404, `${what} not found.`);

export interface ScimEmail {
  value: string;
  type?: string;
  primary?: boolean;
  display?: string;
}

/**
 * What Latchkey keeps of a SCIM User besides its own user item: the IdP's attributes as sent (core
 * schema plus the enterprise extension), without `id`, `meta`, `schemas` and `active`, which it owns.
 */
export interface ScimUserData {
  userName: string;
  externalId?: string;
  name?: Record<string, string>;
  displayName?: string;
  nickName?: string;
  title?: string;
  userType?: string;
  preferredLanguage?: string;
  locale?: string;
  timezone?: string;
  emails?: ScimEmail[];
  phoneNumbers?: { value: string; type?: string; primary?: boolean }[];
  enterprise?: Record<string, unknown>;
}

/** A user as the directory sees it: Latchkey's user plus the SCIM data (absent for JIT users). */
export interface DirectoryUser {
  user: User;
  scim?: ScimUserData;
  /** Optimistic-concurrency version of the user item (SCIM `meta.version`). */
  version: number;
}

export interface Team {
  id: string;
  workspaceId: string;
  displayName: string;
  externalId?: string;
  memberCount: number;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** Attribute values DynamoDB can answer with a query (after `eq`, alone or inside an `and`). */
export type IndexedUserAttribute = 'userName' | 'externalId' | 'email' | 'displayName';
export type IndexedGroupAttribute = 'displayName' | 'externalId' | 'member';

/** The primary (else first) email: what Latchkey mails and matches sign-ins by. */
export function primaryEmail(data: ScimUserData): string | undefined {
  const emails = data.emails ?? [];
  const chosen = emails.find((email) => email.primary) ?? emails[0];
  if (chosen?.value) return chosen.value.toLowerCase();
  return data.userName.includes('@') ? data.userName.toLowerCase() : undefined;
}

export function displayNameOf(data: ScimUserData): string {
  const name = data.name ?? {};
  const joined = [name.givenName, name.familyName].filter(Boolean).join(' ');
  return data.displayName || name.formatted || joined || data.userName;
}

/** The SCIM data of a user that no IdP provisioned (a just-in-time user): its email is its userName. */
export function implicitScimData(user: User): ScimUserData {
  return {
    userName: user.email,
    displayName: user.name,
    emails: [{ value: user.email, type: 'work', primary: true }],
  };
}

export function scimVersion(version: number): string {
  return `W/"${version}"`;
}

export function toScimUser(entry: DirectoryUser, baseUrl: string): Record<string, unknown> {
  const data = entry.scim ?? implicitScimData(entry.user);
  const { enterprise, ...core } = data;
  return {
    schemas: enterprise ? [SCIM.user, SCIM.enterprise] : [SCIM.user],
    id: entry.user.id,
    ...core,
    ...(enterprise ? { [SCIM.enterprise]: enterprise } : {}),
    active: entry.user.status === 'active',
    meta: {
      resourceType: 'User',
      created: entry.user.createdAt,
      lastModified: entry.user.updatedAt,
      location: `${baseUrl}/Users/${entry.user.id}`,
      version: scimVersion(entry.version),
    },
  };
}

export function toScimGroup(
  team: Team,
  members: { value: string; display?: string }[] | undefined,
  baseUrl: string,
): Record<string, unknown> {
  return {
    schemas: [SCIM.group],
    id: team.id,
    displayName: team.displayName,
    ...(team.externalId ? { externalId: team.externalId } : {}),
    ...(members
      ? { members: members.map((m) => ({ ...m, $ref: `${baseUrl}/Users/${m.value}`, type: 'User' })) }
      : {}),
    meta: {
      resourceType: 'Group',
      created: team.createdAt,
      lastModified: team.updatedAt,
      location: `${baseUrl}/Groups/${team.id}`,
      version: scimVersion(team.version),
    },
  };
}
