import { count, DIMENSIONS, METRICS, type MetricName } from '../observability/metrics';

/** What one finished request tells the metrics: its route, status, stable error code and bodies. */
export interface RequestOutcome {
  routeId: string | undefined;
  group: string;
  status: number;
  durationMs: number;
  /** The `error` code of an error response. */
  error?: string | undefined;
  /** The parsed response body of a success (only read for the routes below). */
  response: () => unknown;
  /** The validated request body. */
  body: unknown;
}

type Outcome = [MetricName, Record<string, string>?];
type Rule = (outcome: RequestOutcome) => Outcome[];

const identity = (outcome: string, method: string): [MetricName, Record<string, string>] => [
  METRICS.identityChallenges,
  { [DIMENSIONS.outcome]: outcome, [DIMENSIONS.method]: method },
];
const ok = (o: RequestOutcome) => o.status < 300;
const reported = (o: RequestOutcome) => (o.body as { report?: boolean } | undefined)?.report === true;

/**
 * Business outcomes read off the API's answers: the route and its stable error code say what happened
 * (a code was sent, verified, expired...), so the use cases stay free of metric calls and every
 * outcome a client sees is counted exactly as the client saw it.
 */
const RULES: Record<string, Rule> = {
  registerDevice: (o) => {
    if (!ok(o)) return [];
    const method = (o.response() as { verification?: { method?: string } })?.verification?.method;
    return [[method === 'approval' ? METRICS.approvalsRequested : METRICS.codesSent]];
  },
  resendDeviceCode: (o) => (ok(o) ? [[METRICS.codesSent]] : []),
  createLoginGrant: (o) => (ok(o) ? [[METRICS.loginGrantsIssued]] : []),
  switchDeviceToCode: (o) => (ok(o) ? [[METRICS.codesSent]] : []),
  verifyDevice: (o) => {
    if (ok(o)) return [[METRICS.codesVerified]];
    if (o.error === 'invalid_code') return [[METRICS.codeVerificationsFailed]];
    if (o.error === 'too_many_attempts') return [[METRICS.codeVerificationsFailed], [METRICS.codesExhausted]];
    if (o.error === 'code_expired') return [[METRICS.codesExpired]];
    return [];
  },
  approveDevice: (o) => {
    if (ok(o)) return [[METRICS.approvalsApproved]];
    // A wrong number denies the request.
    return o.error === 'wrong_number' ? [[METRICS.approvalsDenied]] : [];
  },
  denyDevice: (o) =>
    ok(o)
      ? [[METRICS.approvalsDenied], ...(reported(o) ? [[METRICS.approvalsReported] as Outcome] : [])]
      : [],
  approveIdentityChallenge: (o) => {
    if (ok(o)) return [identity('approved', 'push')];
    if (o.error === 'wrong_number') return [identity('wrong_number', 'push')];
    if (o.error === 'challenge_expired') return [identity('expired', 'push')];
    return [];
  },
  denyIdentityChallenge: (o) => (ok(o) ? [identity(reported(o) ? 'reported' : 'denied', 'push')] : []),
  resendIdentityChallenge: (o) => (ok(o) ? [identity('push_resent', 'push')] : []),
  emailIdentityChallenge: (o) => (ok(o) ? [identity('email_sent', 'email')] : []),
  confirmMagicLink: (o) => {
    if (ok(o)) return [identity('approved', 'email')];
    if (o.error === 'link_invalid') return [identity('link_invalid', 'email')];
    if (o.error === 'challenge_expired') return [identity('expired', 'email')];
    return [];
  },
};

export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

/** The metrics of one finished request: volume and latency per route group, then its business outcome. */
export function outcomeMetrics(outcome: RequestOutcome): Outcome[] {
  const found: Outcome[] = [];
  // Any route guarded by identity confirmation opens a challenge with this answer.
  if (outcome.error === 'identity_confirmation_required') found.push(identity('requested', 'any'));
  const rule = outcome.routeId ? RULES[outcome.routeId] : undefined;
  if (rule) found.push(...rule(outcome));
  return found;
}

export function recordRequestMetrics(outcome: RequestOutcome): void {
  count(METRICS.apiRequests, {
    [DIMENSIONS.routeGroup]: outcome.group,
    [DIMENSIONS.statusClass]: statusClass(outcome.status),
  });
  count(METRICS.apiLatency, { [DIMENSIONS.routeGroup]: outcome.group }, outcome.durationMs, 'Milliseconds');
  for (const [name, dimensions] of outcomeMetrics(outcome)) count(name, dimensions);
}
