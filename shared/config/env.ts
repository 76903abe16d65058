/**
 * Environment variable names, shared by the CDK app (which sets them) and the runtime (which reads them).
 * Getters read at cold start and throw with the missing name, so a misconfigured function fails on its
 * first invocation instead of half-working.
 */
export const ENV = {
  tableName: 'TABLE_NAME',
  /** Only set locally: points the DynamoDB client at DynamoDB Local. */
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
  /** Only set locally: points the SES client at aws-ses-v2-local. */
  sesEndpoint: 'SES_ENDPOINT',
  emailFrom: 'EMAIL_FROM',
  /** SES configuration set named on every send (bounce and complaint events); unset locally. */
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  /** JWT claim that names the caller's workspace. */
  workspaceClaim: 'WORKSPACE_CLAIM',
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: 'MAX_BODY_BYTES',
  stage: 'LATCHKEY_STAGE',
  /** KMS HMAC_256 key from which the server HMAC key is derived (AWS). */
  hmacKeyId: 'HMAC_KEY_ID',
  /** Local runtime only: the server HMAC key itself, hex (at least 32 bytes). */
  localHmacKey: 'LOCAL_HMAC_KEY',
  /** KMS key for envelope encryption of account passwords and TOTP seeds (AWS). */
  secretsKeyId: 'SECRETS_KEY_ID',
  /** Local runtime only: the master key (hex, 32 bytes) standing in for KMS. */
  localSecretsKey: 'LOCAL_SECRETS_KEY',
  /** Domain of the managed email addresses (SES receiving). */
  inboundEmailDomain: 'INBOUND_EMAIL_DOMAIN',
  /** SNS topic End User Messaging publishes inbound SMS to, and the role it uses. */
  inboundSmsTopicArn: 'INBOUND_SMS_TOPIC_ARN',
  smsTwoWayRoleArn: 'SMS_TWO_WAY_ROLE_ARN',
  /** Where the SES receipt rule writes raw inbound mail, and the key prefix it uses. */
  inboundMailBucket: 'INBOUND_MAIL_BUCKET',
  inboundMailPrefix: 'INBOUND_MAIL_PREFIX',
  /** The bucket of secrets' attachments (presigned POST up, presigned GET down). */
  attachmentsBucket: 'ATTACHMENTS_BUCKET',
  /** Only set locally: points the S3 client at the local S3 server (path-style addressing). */
  s3Endpoint: 'S3_ENDPOINT',
  /** SQS queue between mail parsing and the shared inbox. */
  inboundQueueUrl: 'INBOUND_QUEUE_URL',
  /** Days inbox messages are kept (default 30). */
  inboxRetentionDays: 'INBOX_RETENTION_DAYS',
  /** EventBridge bus the outbox relay publishes domain events to. */
  eventBusName: 'EVENT_BUS_NAME',
  /** SQS queue the push fan-out function consumes. */
  pushQueueUrl: 'PUSH_QUEUE_URL',
  /** SNS platform application ARNs; unset -> pushes to that platform are recorded as undeliverable. */
  apnsPlatformArn: 'PUSH_PLATFORM_APNS_ARN',
  apnsSandboxPlatformArn: 'PUSH_PLATFORM_APNS_SANDBOX_ARN',
  fcmPlatformArn: 'PUSH_PLATFORM_FCM_ARN',
  /** Base URL of the web app: magic links point there (never built from a request's Host header). */
  webBaseUrl: 'WEB_BASE_URL',
  /** Public base URL of `/scim/v2` for SCIM `meta.location`; unset -> the API's own domain. */
  scimBaseUrl: 'SCIM_BASE_URL',
  /** SQS queue the rotation worker consumes (rotation jobs relayed from the outbox). */
  rotationQueueUrl: 'ROTATION_QUEUE_URL',
  /** The connector function the rotation worker invokes (its own, isolated Lambda). */
  connectorFunctionName: 'CONNECTOR_FUNCTION_NAME',
  /** The time box of one connector call to an app, in ms (default 10000). */
  connectorTimeoutMs: 'CONNECTOR_TIMEOUT_MS',
  /** Base URL of the demo app (`/_local/apps/demo` on the local gateway); unset in AWS. */
  demoAppUrl: 'DEMO_APP_URL',
  /**
   * Only set by the local runtime: the one loopback origin (`http://127.0.0.1:<port>`) a customer-set
   * outbound URL may use despite the SSRF rules (plain HTTP, loopback): a webhook (the demo app answers
   * as an endpoint) and a Universal Logout JWKS (the dev IdP's). Never set in AWS (an infra test asserts
   * it is absent from every function).
   */
  webhookLocalOrigin: 'WEBHOOK_LOCAL_ORIGIN',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

export const DEFAULTS = {
  workspaceClaim: 'custom:workspace',
  maxBodyBytes: 64 * 1024,
  serviceName: 'latchkey',
  metricsNamespace: 'Latchkey',
} as const;

export class MissingConfigError extends Error {
  constructor(readonly variable: string) {
    super(`Missing required environment variable ${variable}`);
    this.name = 'MissingConfigError';
  }
}

export function requireEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new MissingConfigError(name);
  return value;
}

export function optionalEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

export function positiveIntEnv(
  name: EnvName,
  fallback: number,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const raw = optionalEnv(name, env);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new MissingConfigError(`${name} (must be a positive integer, got "${raw}")`);
  }
  return value;
}
