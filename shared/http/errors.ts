import {
  DomainError,
  EmailCapReachedError,
  ForbiddenError,
  IdentityClaimsError,
  InvalidCursorError,
  NotFoundError,
  NotProvisionedError,
  UserDeprovisionedError,
} from '../domain/errors';
import { ACCOUNT_ERRORS } from './error-codes/accounts';
import { DEVICE_ERRORS } from './error-codes/devices';
import { DIRECTORY_ERRORS } from './error-codes/directory';
import { IDENTITY_ERRORS } from './error-codes/identity';
import { LOGIN_ERRORS } from './error-codes/logins';
import { LOGOUT_ERRORS } from './error-codes/logout';
import { NOTIFICATION_ERRORS } from './error-codes/notifications';
import { ROTATION_ERRORS } from './error-codes/rotation';
import { SECRET_ERRORS } from './error-codes/secrets';
import { SHARE_LINK_ERRORS } from './error-codes/share-links';
import type { ErrorMapping } from './error-codes/types';
import { isServiceUnavailable, SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS } from './unavailable';

/** Failures found at the HTTP edge, before any use case runs. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const invalidJson = () => new HttpError(400, 'invalid_json', 'The request body is not valid JSON.');
export const unsupportedMediaType = () =>
  new HttpError(415, 'unsupported_media_type', 'Send the request body as application/json.');
export const payloadTooLarge = (limitBytes: number) =>
  new HttpError(413, 'payload_too_large', `The request body is larger than ${limitBytes} bytes.`, {
    limitBytes,
  });
export const routeNotFound = () => new HttpError(404, 'not_found', 'No such route.');
export const unauthorized = () => new HttpError(401, 'unauthorized', 'A valid bearer token is required.');

export interface FieldIssue {
  /** Where the problem is: `body.name`, `query.limit`, `params.id`. */
  field: string;
  message: string;
}

export const validationFailed = (fields: FieldIssue[]) =>
  new HttpError(400, 'validation_failed', 'The request does not match the schema.', { fields });

/**
 * Domain error class -> HTTP status and stable code: the one registry, assembled from one list per
 * context (`error-codes/<context>.ts`).
 */
const DOMAIN_ERRORS: readonly ErrorMapping[] = [
  [UserDeprovisionedError, 403, 'user_deprovisioned'],
  [NotProvisionedError, 403, 'not_provisioned'],
  [IdentityClaimsError, 401, 'unauthorized'],
  [NotFoundError, 404, 'not_found'],
  [ForbiddenError, 403, 'forbidden'],
  [InvalidCursorError, 400, 'invalid_cursor'],
  [EmailCapReachedError, 429, 'email_cap_reached'],
  ...DEVICE_ERRORS,
  ...NOTIFICATION_ERRORS,
  ...IDENTITY_ERRORS,
  ...ACCOUNT_ERRORS,
  ...DIRECTORY_ERRORS,
  ...SECRET_ERRORS,
  ...SHARE_LINK_ERRORS,
  ...LOGIN_ERRORS,
  ...ROTATION_ERRORS,
  ...LOGOUT_ERRORS,
];

export interface ErrorResponse {
  status: number;
  body: { error: string; message: string } & Record<string, unknown>;
  /** True for failures the server caused: logged at error level with the stack. */
  unexpected: boolean;
}

export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof HttpError) {
    return {
      status: error.status,
      body: { ...error.details, error: error.code, message: error.message },
      unexpected: false,
    };
  }
  if (error instanceof DomainError) {
    const entry = DOMAIN_ERRORS.find(([errorClass]) => error instanceof errorClass);
    if (entry) {
      return {
        status: entry[1],
        body: { ...error.details, error: entry[2], message: error.message },
        unexpected: false,
      };
    }
  }
  if (isServiceUnavailable(error)) {
    // A dependency is down or throttling: the client retries later; logged like a server failure.
    return {
      status: 503,
      body: {
        error: 'service_unavailable',
        message: 'The service is briefly unavailable. Retry after the time in Retry-After.',
        retryAfter: SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS,
      },
      unexpected: true,
    };
  }
  return {
    status: 500,
    body: {
      error: 'internal',
      message: 'Something went wrong on our side. Quote the request id if you report it.',
    },
    unexpected: true,
  };
}

/** Every code the API can answer, for the OpenAPI document and the tests that walk every route. */
export const COMMON_ERROR_CODES = [
  'invalid_json',
  'unsupported_media_type',
  'validation_failed',
  'payload_too_large',
  'not_found',
  'unauthorized',
  'internal',
  'service_unavailable',
] as const;
