import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';

/** Seconds a client should wait before retrying a request refused with 503. */
export const SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** DynamoDB's own "try again later" answers, once the SDK's bounded retries are spent. */
const DYNAMODB_UNAVAILABLE = [
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ThrottlingException,
];

/** Node socket errors: the service could not be reached or dropped the connection. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Transport failures carry no class of their own: the SDK's node handler names its per-attempt
 * timeouts `TimeoutError`, and `AbortSignal.timeout` (the call budget's deadline) rejects with a
 * `TimeoutError` or `AbortError` DOMException.
 */
const TRANSPORT_NAMES = new Set(['TimeoutError', 'AbortError']);

/**
 * True when a request failed because an AWS service it depends on is unreachable, timing out or
 * throttling after the request path's bounded retries (`CALL_BUDGETS.request`): the client may retry
 * later (503 `service_unavailable` with `Retry-After`), and nothing it could change would help.
 * Any other SDK error whose fault is the server's (`$fault: 'server'`, a 5xx status) counts too.
 * Client-side errors (validation, a failed condition) never do: those are bugs or domain outcomes.
 */
export function isServiceUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 3) return false;
  if (DYNAMODB_UNAVAILABLE.some((type) => error instanceof type)) return true;
  if (TRANSPORT_NAMES.has(error.name)) return true;
  const { code, $fault, $metadata } = error as {
    code?: unknown;
    $fault?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  if ($fault === 'server' || ($metadata?.httpStatusCode ?? 0) >= 500) return true;
  // Node reports a refused dual-stack connect as an AggregateError of one error per address.
  if (error instanceof AggregateError)
    return error.errors.some((inner) => isServiceUnavailable(inner, depth + 1));
  return error.cause !== undefined && isServiceUnavailable(error.cause, depth + 1);
}
