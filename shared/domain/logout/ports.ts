/** What universal logout and the rotation triggers need from storage and from the JOSE adapter. */

/** The accounts a user received login grants for, with the latest grant Latchkey knows of. */
export interface GrantLedger {
  /**
   * Remembers that `userId` received a grant for `accountId` at `at`. Conditional: written only when
   * nothing newer than `since` (the account's last successful rotation) is recorded, so after the first
   * grant following a rotation, later grants cost a failed condition and nothing else.
   */
  record(entry: GrantRecord, since: string | undefined): Promise<void>;
  /** Every account the user was granted, from one partition (paged inside). */
  accountsGrantedTo(userId: string): Promise<GrantRecord[]>;
}

export interface GrantRecord {
  userId: string;
  accountId: string;
  workspaceId: string;
  lastGrantAt: string;
}

/** Why an account is on the "rotate by hand" list: which trigger, for whom. */
export interface RotateByHandEntry {
  workspaceId: string;
  accountId: string;
  appName: string;
  /** The users whose departure or logout put the account here (a set: a repeat adds nothing). */
  userIds: string[];
  triggers: Array<'universal_logout' | 'deprovisioning'>;
  firstListedAt: string;
  lastListedAt: string;
}

export interface RotateByHandList {
  /** Adds (or refreshes) the account's entry; idempotent for the same user and trigger. */
  add(
    entry: Omit<RotateByHandEntry, 'userIds' | 'triggers' | 'firstListedAt' | 'lastListedAt'>,
    userId: string,
    trigger: RotateByHandEntry['triggers'][number],
    at: string,
  ): Promise<void>;
  list(
    workspaceId: string,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<{ items: RotateByHandEntry[]; nextCursor: string | null }>;
  /** Removes the entry (the admin rotated the password); false when there was none. */
  clear(workspaceId: string, accountId: string): Promise<boolean>;
}

/** What the IdP's signed request token proved, once verified. */
export interface LogoutTokenClaims {
  issuer: string;
  jti: string;
  issuedAt: number;
  expiresAt: number;
}

export interface LogoutTokenConfig {
  issuer: string;
  jwksUrl: string;
  audience: string;
  /** Longest accepted `exp - iat` (seconds). */
  maxLifetimeSeconds: number;
}

export interface LogoutTokens {
  /** Signature against the JWKS, `iss`, `aud`, `exp`, `iat`, `jti`, lifetime: throws GlobalLogoutAuthError. */
  verify(token: string, config: LogoutTokenConfig): Promise<LogoutTokenClaims>;
  /** Consumes the token id once (conditional write kept until it expires); false when seen before. */
  consume(claims: LogoutTokenClaims): Promise<boolean>;
}
