/**
 * How long one call site may wait on an AWS service, and how many attempts the SDK's standard retry
 * mode (exponential backoff with jitter, retry quota, clock-skew correction) may make. A request path
 * has a person waiting, so it gives up sooner than a background worker, whose failure only means a
 * redelivery.
 */
export interface CallBudget {
  /** Attempts in total (the first one included), for the SDK's `maxAttempts`. */
  maxAttempts: number;
  /** One attempt's socket budget (`requestHandler.requestTimeout`). */
  attemptTimeoutMs: number;
  /** Time to open a connection, per attempt. */
  connectTimeoutMs: number;
  /** Every attempt and backoff together: the call is aborted past this. */
  totalTimeoutMs: number;
}

export const CALL_BUDGETS = {
  /** Inside an HTTP request (API Gateway gives up at 30 s; a person waits). */
  request: { maxAttempts: 2, attemptTimeoutMs: 2_000, connectTimeoutMs: 1_000, totalTimeoutMs: 4_000 },
  /** Once per container at cold start (the server HMAC key), before the first request answers. */
  coldStart: { maxAttempts: 3, attemptTimeoutMs: 2_000, connectTimeoutMs: 1_000, totalTimeoutMs: 5_000 },
  /** Queue consumers and relays: a failure is redelivered, so they can wait longer. */
  worker: { maxAttempts: 5, attemptTimeoutMs: 5_000, connectTimeoutMs: 2_000, totalTimeoutMs: 20_000 },
} as const satisfies Record<string, CallBudget>;

/** Constructor options of any SDK v3 client for this budget: standard retries, per-attempt timeouts. */
export function clientOptions(budget: CallBudget, extra: { region?: string; endpoint?: string } = {}) {
  return {
    retryMode: 'standard' as const,
    maxAttempts: budget.maxAttempts,
    requestHandler: {
      requestTimeout: budget.attemptTimeoutMs,
      connectionTimeout: budget.connectTimeoutMs,
    },
    ...(extra.region ? { region: extra.region } : {}),
    ...(extra.endpoint ? { endpoint: extra.endpoint } : {}),
  };
}

/** Per-call options: aborts the whole call (attempts and backoff) past the budget's total. */
export function deadline(budget: CallBudget): { abortSignal: AbortSignal } {
  return { abortSignal: AbortSignal.timeout(budget.totalTimeoutMs) };
}
