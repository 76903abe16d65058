import type { MetricUnit } from '@aws-lambda-powertools/metrics/types';
import { DEFAULTS } from '../config/env';
import { metrics } from './index';

/**
 * Every business and service metric Latchkey publishes (EMF, namespace `Latchkey`, default dimension
 * `service=latchkey`). The CDK dashboard and alarms import these names, so a rename breaks the build,
 * not the alarm. Extra dimensions are few and low-cardinality (a route group, a status class, a
 * channel, an outcome, a method): never an id.
 */
export const METRICS = {
  // HTTP API, per route group (dimensions RouteGroup + StatusClass / RouteGroup).
  apiRequests: 'ApiRequests',
  apiLatency: 'ApiLatency',
  unexpectedErrors: 'UnexpectedErrors',
  // Device verification codes.
  codesSent: 'CodesSent',
  codesVerified: 'CodesVerified',
  codeVerificationsFailed: 'CodeVerificationsFailed',
  codesExpired: 'CodesExpired',
  codesExhausted: 'CodesExhausted',
  // Device approvals (a trusted device approves a new one by number matching).
  approvalsRequested: 'ApprovalsRequested',
  approvalsApproved: 'ApprovalsApproved',
  approvalsDenied: 'ApprovalsDenied',
  approvalsReported: 'ApprovalsReported',
  // Identity confirmation (dimensions Outcome + Method).
  identityChallenges: 'IdentityChallenges',
  // Inbound SMS and email (dimension Channel).
  inboundReceived: 'InboundReceived',
  inboundStored: 'InboundStored',
  inboundDeduplicated: 'InboundDeduplicated',
  inboundRejected: 'InboundRejected',
  inboundCodesExtracted: 'InboundCodesExtracted',
  // Push fan-out.
  pushSent: 'PushSent',
  pushFailed: 'PushFailed',
  pushEndpointDisabled: 'PushEndpointDisabled',
  /** Mobile devices a push was meant for that have no live endpoint. */
  pushUndeliverable: 'PushUndeliverable',
  pushJobsRetried: 'PushJobsRetried',
  pushJobsInvalid: 'PushJobsInvalid',
  // Outgoing email (bounces and complaints come from the SES configuration set: SES_METRICS).
  emailsSent: 'EmailsSent',
  emailsFailed: 'EmailsFailed',
  // Login grants and rotations (emitted by their features).
  loginGrantsIssued: 'LoginGrantsIssued',
  rotationsSucceeded: 'RotationsSucceeded',
  rotationsFailed: 'RotationsFailed',
  // SCIM (dimension Outcome).
  scimRequests: 'ScimRequests',
  /** The IdP deprovisioned a workspace's last active owner (an alarm pages on any). */
  workspaceOwnerLost: 'WorkspaceOwnerLost',
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];

/** Where the business metrics live, and the dimension Powertools adds to each of them. */
export const METRICS_NAMESPACE = DEFAULTS.metricsNamespace;
export const SERVICE_DIMENSION = { service: DEFAULTS.serviceName } as const;

/**
 * What SES publishes for the configuration set's CloudWatch event destination (namespace `AWS/SES`,
 * dimension `ses:configuration-set`), and its account-wide reputation rates.
 */
export const SES_METRICS = {
  namespace: 'AWS/SES',
  send: 'Send',
  delivery: 'Delivery',
  bounce: 'Bounce',
  complaint: 'Complaint',
  reject: 'Reject',
  bounceRate: 'Reputation.BounceRate',
  complaintRate: 'Reputation.ComplaintRate',
  configurationSetDimension: 'ses:configuration-set',
} as const;

/** Dimension names; values come from small closed sets. */
export const DIMENSIONS = {
  routeGroup: 'RouteGroup',
  statusClass: 'StatusClass',
  channel: 'Channel',
  outcome: 'Outcome',
  method: 'Method',
} as const;

/**
 * Counts one occurrence. Without dimensions it joins the invocation's metric set (flushed by
 * `logMetrics`); with them it is published on its own line so its dimension set stays exact.
 */
export function count(
  name: MetricName,
  dimensions?: Record<string, string>,
  value = 1,
  unit: MetricUnit = 'Count',
): void {
  if (!dimensions) {
    metrics.addMetric(name, unit, value);
    return;
  }
  const single = metrics.singleMetric();
  for (const [key, dimensionValue] of Object.entries(dimensions)) single.addDimension(key, dimensionValue);
  single.addMetric(name, unit, value);
}
