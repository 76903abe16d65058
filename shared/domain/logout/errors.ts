import { DomainError } from '../errors';

export const LOGOUT_TOKEN_FAILURES = [
  'missing',
  'malformed',
  'not_configured',
  'bad_signature',
  'wrong_issuer',
  'wrong_audience',
  'expired',
  'not_yet_valid',
  'lifetime_too_long',
  'missing_claim',
  'replayed',
] as const;
export type LogoutTokenFailure = (typeof LOGOUT_TOKEN_FAILURES)[number];

/** The Global Token Revocation request is not authenticated (401 `invalid_token`, `reason`). */
export class LogoutTokenError extends DomainError {
  constructor(readonly reason: LogoutTokenFailure) {
    super('The request token is not valid for this endpoint.', { reason });
  }
}

/**
 * The IdP's JWKS could not be fetched (503 `jwks_unavailable`): the IdP retries later. `why` (a refused
 * URL or address, a redirect, an oversize answer...) is for the security log only: the anonymous caller
 * is not told how the configured URL resolves.
 */
export class JwksUnavailableError extends DomainError {
  constructor(readonly why: string = 'unavailable') {
    super("The identity provider's signing keys could not be fetched. Try again later.", { retryAfter: 30 });
  }
}

/** `sub_id.format` is not one this endpoint supports (400 `unsupported_subject_format`). */
export class UnsupportedSubjectFormatError extends DomainError {
  constructor(format: string) {
    super('Supported subject identifier formats: email, iss_sub.', {
      format: format.slice(0, 40),
      supported: ['email', 'iss_sub'],
    });
  }
}

/** `sub_id` names a supported format without the fields it needs (400 `invalid_subject`). */
export class InvalidSubjectError extends DomainError {
  constructor(format: string) {
    super(format === 'email' ? 'sub_id needs an email.' : 'sub_id needs iss and sub.', { format });
  }
}
