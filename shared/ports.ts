import type { CallerIdentity, User, Workspace, WorkspaceRole } from './domain/users/model';

/** The ports use cases depend on. Production passes adapters, tests pass fakes. */

export interface Clock {
  now(): Date;
}

export type IdGenerator = (prefix: string) => string;

export interface ProvisionUserInput {
  identity: CallerIdentity;
  userId: string;
  /** Used only when the workspace does not exist yet and this call creates it. */
  newWorkspaceId: string;
  /** Role when joining an existing workspace. The creator of a new workspace is always its owner. */
  role: WorkspaceRole;
  now: Date;
}

export interface ProvisionUserResult {
  user: User;
  workspace: Workspace;
  /** False when a concurrent call (or an earlier one) had already provisioned this identity. */
  created: boolean;
}

export interface UserRepository {
  /** The user an IdP identity maps to. The mapping never changes once written. */
  findUserIdByIdentity(issuer: string, subject: string): Promise<string | undefined>;
  getUser(userId: string): Promise<User | undefined>;
  /** Creates the user (and the workspace when it is new) atomically; safe under concurrent calls. */
  provision(input: ProvisionUserInput): Promise<ProvisionUserResult>;
  /** Renames an active user; throws UserDeprovisionedError when the user is no longer active. */
  updateName(userId: string, name: string, now: Date): Promise<User>;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}
