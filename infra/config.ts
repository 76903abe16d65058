import type { Node } from 'constructs';
import { DEFAULTS } from '../shared/config/env';

/**
 * CDK context keys (`cdk deploy -c key=value` or cdk.json). Every key has a default so that a bare
 * `cdk synth` works offline; the README's configuration table lists them.
 */
export const CONTEXT_KEYS = {
  stage: 'stage',
  jwtIssuer: 'jwtIssuer',
  jwtAudience: 'jwtAudience',
  workspaceClaim: 'workspaceClaim',
  emailFrom: 'emailFrom',
  maxBodyBytes: 'maxBodyBytes',
  logRetentionDays: 'logRetentionDays',
  throttleRateLimit: 'throttleRateLimit',
  throttleBurstLimit: 'throttleBurstLimit',
  apnsSecretArn: 'apnsSecretArn',
  apnsSandboxSecretArn: 'apnsSandboxSecretArn',
  fcmSecretArn: 'fcmSecretArn',
  webBaseUrl: 'webBaseUrl',
  inboundEmailDomain: 'inboundEmailDomain',
  inboxRetentionDays: 'inboxRetentionDays',
  cognitoDomainPrefix: 'cognitoDomainPrefix',
  alarmEmail: 'alarmEmail',
  runbookBaseUrl: 'runbookBaseUrl',
  codeSenderReservedConcurrency: 'codeSenderReservedConcurrency',
  codeFailureAlarmThreshold: 'codeFailureAlarmThreshold',
  xraySamplingRate: 'xraySamplingRate',
  bootstrapWorkspace: 'bootstrapWorkspace',
  bootstrapOwnerEmail: 'bootstrapOwnerEmail',
  bootstrapJitDomains: 'bootstrapJitDomains',
} as const;

/** Where alarm descriptions link runbooks when `runbookBaseUrl` is not set: the repository path. */
export const DEFAULT_RUNBOOK_BASE = 'docs/runbooks';

export interface LatchkeyConfig {
  stage: string;
  /** Both set: an external IdP. Both unset: the stack creates a Cognito user pool. */
  jwt?: { issuer: string; audience: string[] };
  workspaceClaim: string;
  emailFrom: string;
  /** The web app's base URL: identity-confirmation magic links point there. */
  webBaseUrl: string;
  maxBodyBytes: number;
  logRetentionDays: number;
  throttle: { rateLimit: number; burstLimit: number };
  /** Secrets Manager ARNs of push credentials; each one given creates its SNS platform application. */
  push: { apnsSecretArn?: string; apnsSandboxSecretArn?: string; fcmSecretArn?: string };
  /** Domain of managed email addresses (verify it for SES receiving). */
  inboundEmailDomain: string;
  inboxRetentionDays: number;
  /** The Cognito hosted UI's domain prefix (globally unique); default `latchkey-<stage>`. */
  cognitoDomainPrefix?: string;
  /** Operations (docs/runbooks/README.md): alarm email, runbook links, concurrency, tracing. */
  operations: {
    alarmEmail?: string;
    runbookBaseUrl: string;
    /** Reserved concurrency of the functions that send codes; unset = none (the default). */
    codeSenderReservedConcurrency?: number;
    codeFailureAlarmThreshold: number;
    /** 0 turns active tracing off; otherwise the X-Ray sampling rule's fixed rate. */
    xraySamplingRate: number;
  };
  /** The workspace a custom resource bootstraps at deploy, with its first owner (no sign-in creates one). */
  bootstrap?: { workspace: string; ownerEmail: string; jitEmailDomains: string[] };
}

function numberContext(node: Node, key: string, fallback: number): number {
  const raw = node.tryGetContext(key);
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`context ${key} must be a positive number, got ${raw}`);
  return value;
}

function urlContext(node: Node, key: string, fallback: string): string {
  const raw = (node.tryGetContext(key) as string | undefined) || fallback;
  if (!/^https?:\/\/[^/?#]+/i.test(raw)) throw new Error(`context ${key} must be an http(s) URL, got ${raw}`);
  return raw;
}

function rateContext(node: Node, key: string, fallback: number): number {
  const raw = node.tryGetContext(key);
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1)
    throw new Error(`context ${key} must be a number from 0 to 1, got ${raw}`);
  return value;
}

function readOperations(node: Node): LatchkeyConfig['operations'] {
  const email = node.tryGetContext(CONTEXT_KEYS.alarmEmail) as string | undefined;
  if (email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
    throw new Error(`context alarmEmail must be an email address, got ${email}`);
  const reserved = node.tryGetContext(CONTEXT_KEYS.codeSenderReservedConcurrency);
  return {
    ...(email ? { alarmEmail: email } : {}),
    runbookBaseUrl:
      (node.tryGetContext(CONTEXT_KEYS.runbookBaseUrl) as string | undefined) || DEFAULT_RUNBOOK_BASE,
    ...(reserved !== undefined && reserved !== ''
      ? {
          codeSenderReservedConcurrency: Math.round(
            numberContext(node, CONTEXT_KEYS.codeSenderReservedConcurrency, 1),
          ),
        }
      : {}),
    codeFailureAlarmThreshold: numberContext(node, CONTEXT_KEYS.codeFailureAlarmThreshold, 50),
    xraySamplingRate: rateContext(node, CONTEXT_KEYS.xraySamplingRate, 0.05),
  };
}

function bootstrapContext(node: Node): Pick<LatchkeyConfig, 'bootstrap'> {
  const workspace = node.tryGetContext(CONTEXT_KEYS.bootstrapWorkspace) as string | undefined;
  const ownerEmail = node.tryGetContext(CONTEXT_KEYS.bootstrapOwnerEmail) as string | undefined;
  if (!workspace && !ownerEmail) return {};
  if (!workspace || !ownerEmail) {
    throw new Error('context bootstrapWorkspace and bootstrapOwnerEmail go together: set both, or neither');
  }
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(ownerEmail)) {
    throw new Error(`context bootstrapOwnerEmail must be an email, got ${ownerEmail}`);
  }
  const domains = String(node.tryGetContext(CONTEXT_KEYS.bootstrapJitDomains) ?? '')
    .split(',')
    .map((domain) => domain.trim().toLowerCase())
    .filter(Boolean);
  return { bootstrap: { workspace, ownerEmail, jitEmailDomains: domains } };
}

export function readConfig(node: Node): LatchkeyConfig {
  const issuer = node.tryGetContext(CONTEXT_KEYS.jwtIssuer) as string | undefined;
  const audience = node.tryGetContext(CONTEXT_KEYS.jwtAudience) as string | undefined;
  if (Boolean(issuer) !== Boolean(audience)) {
    throw new Error(
      'context jwtIssuer and jwtAudience go together: set both, or neither for a Cognito user pool',
    );
  }
  const stage = (node.tryGetContext(CONTEXT_KEYS.stage) as string | undefined) ?? 'dev';
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage))
    throw new Error(`context stage must be a short lower-case name, got ${stage}`);
  return {
    stage,
    ...(issuer && audience
      ? {
          jwt: {
            issuer,
            audience: audience
              .split(',')
              .map((a) => a.trim())
              .filter(Boolean),
          },
        }
      : {}),
    workspaceClaim:
      (node.tryGetContext(CONTEXT_KEYS.workspaceClaim) as string | undefined) ?? DEFAULTS.workspaceClaim,
    emailFrom:
      (node.tryGetContext(CONTEXT_KEYS.emailFrom) as string | undefined) ?? 'no-reply@latchkey.example',
    webBaseUrl: urlContext(node, CONTEXT_KEYS.webBaseUrl, 'http://localhost:5173'),
    maxBodyBytes: numberContext(node, CONTEXT_KEYS.maxBodyBytes, DEFAULTS.maxBodyBytes),
    logRetentionDays: numberContext(node, CONTEXT_KEYS.logRetentionDays, 30),
    throttle: {
      rateLimit: numberContext(node, CONTEXT_KEYS.throttleRateLimit, 50),
      burstLimit: numberContext(node, CONTEXT_KEYS.throttleBurstLimit, 100),
    },
    inboundEmailDomain:
      (node.tryGetContext(CONTEXT_KEYS.inboundEmailDomain) as string | undefined) ??
      'inbound.latchkey.example',
    inboxRetentionDays: numberContext(node, CONTEXT_KEYS.inboxRetentionDays, 30),
    operations: readOperations(node),
    ...(node.tryGetContext(CONTEXT_KEYS.cognitoDomainPrefix)
      ? { cognitoDomainPrefix: String(node.tryGetContext(CONTEXT_KEYS.cognitoDomainPrefix)) }
      : {}),
    ...bootstrapContext(node),
    push: Object.fromEntries(
      (['apnsSecretArn', 'apnsSandboxSecretArn', 'fcmSecretArn'] as const)
        .map((key) => [key, node.tryGetContext(CONTEXT_KEYS[key]) as string | undefined])
        .filter(([, value]) => Boolean(value)),
    ),
  };
}
