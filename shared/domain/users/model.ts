export const WORKSPACE_ROLES = ['owner', 'super_admin', 'admin', 'user', 'login_only', 'guest'] as const;
export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];

/** Seniority of workspace roles: who may act on whom (deprovisioning, role changes) compares these. */
export const WORKSPACE_ROLE_RANK: Record<WorkspaceRole, number> = {
  owner: 5,
  super_admin: 4,
  admin: 3,
  user: 2,
  login_only: 1,
  guest: 0,
};

export const USER_STATUSES = ['active', 'deprovisioned'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export interface User {
  id: string;
  workspaceId: string;
  email: string;
  name: string;
  workspaceRole: WorkspaceRole;
  status: UserStatus;
  createdAt: string;
  updatedAt: string;
}

export interface Workspace {
  id: string;
  /** The name the IdP puts in the workspace claim (e.g. `acme`). */
  name: string;
  createdAt: string;
}

/** Who the IdP says the caller is: the verified JWT, reduced to what Latchkey uses. */
export interface CallerIdentity {
  issuer: string;
  subject: string;
  email: string;
  name: string;
  workspaceName: string;
  /** The issuer asserted `email_verified: true`: only then may the email link to a provisioned user. */
  emailVerified?: boolean;
  /** Entra ID's `oid` claim (the object id its SCIM client sends as `externalId`), when present. */
  objectId?: string;
}

/** Workspace names are case-insensitive labels; this is their canonical form. */
export function normalizeWorkspaceName(name: string): string {
  return name.trim().toLowerCase();
}
