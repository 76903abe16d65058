/**
 * Domain failures. Each is its own class; `shared/http/errors.ts` maps classes to HTTP status and a
 * stable `error` code in one registry. `details` travel to the client, so they never hold secrets.
 */
export class DomainError extends Error {
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The caller's token is valid but carries no usable identity (no subject, email or workspace). */
export class IdentityClaimsError extends DomainError {}

/** The caller was deprovisioned; every request is refused from then on. */
export class UserDeprovisionedError extends DomainError {
  constructor() {
    super('This user has been deprovisioned.');
  }
}

/**
 * The caller's IdP identity is valid, but the workspace it names does not let it in: it was neither
 * provisioned by SCIM (or bootstrap) nor allowed to join just in time, or the workspace does not exist.
 */
export class NotProvisionedError extends DomainError {
  constructor() {
    super('You have not been given access to this workspace: ask its administrators to provision you.');
  }
}

/** Someone else's object, or one that does not exist: the same answer for both (BOLA). */
export class NotFoundError extends DomainError {}

/** The caller lacks the role the action needs. */
export class ForbiddenError extends DomainError {}

/** A pagination cursor that this API did not hand out (or for another list). */
export class InvalidCursorError extends DomainError {
  constructor() {
    super('The cursor is not valid for this list.');
  }
}

/** The user's hourly allowance of this kind of email is used up. */
export class EmailCapReachedError extends DomainError {
  constructor(purpose: string, retryAfter: number) {
    super('Too many emails of this kind this hour: try again later.', { purpose, retryAfter });
  }
}
