import { makeDemoDriver } from '../adapters/connectors/demo-driver';
import { safePost } from '../adapters/connectors/safe-http';
import { makeWebhookEndpoint } from '../adapters/connectors/webhook-driver';
import { makeAccountRepository } from '../adapters/dynamodb/account-repository';
import { makeAppWebhookRepository } from '../adapters/dynamodb/app-webhook-repository';
import { sharedDocumentClient } from '../adapters/dynamodb/client';
import { makeRotationRepository } from '../adapters/dynamodb/rotation-repository';
import { systemClock } from '../adapters/ids';
import { ENV, optionalEnv, positiveIntEnv, requireEnv } from '../config/env';
import type { AppDriver, ConnectorDeps } from '../domain/rotation/connector';
import { webhookSecretContext } from '../domain/rotation/webhooks';
import { sharedKeyring } from './keyring';
import { localOutboundOrigin } from './outbound';

/** One connector call's time box (the connector function's own timeout sits just above it). */
export function connectorTimeoutMs(): number {
  return positiveIntEnv(ENV.connectorTimeoutMs, 10_000);
}

/** A webhook's answer is cut off beyond this: it is a status and a short reason. */
export const WEBHOOK_MAX_RESPONSE_BYTES = 64 * 1024;
/** A webhook call's own time box: short, whatever the connector's (a customer endpoint is one request). */
export const WEBHOOK_TIMEOUT_MS = 5_000;

/** The connector function's adapters: read-only access to sealed secrets, the keyring, the app drivers. */
export function connectorDeps(): ConnectorDeps {
  const doc = sharedDocumentClient();
  const tableName = requireEnv(ENV.tableName);
  const rotations = makeRotationRepository(doc, tableName);
  const accounts = makeAccountRepository(doc, tableName);
  const drivers: Record<string, AppDriver> = {};
  const demoUrl = optionalEnv(ENV.demoAppUrl);
  if (demoUrl) drivers.demo = makeDemoDriver({ baseUrl: demoUrl, timeoutMs: connectorTimeoutMs() });
  const webhooks = makeAppWebhookRepository(doc, tableName);
  const keyring = sharedKeyring();
  const localOrigin = localOutboundOrigin();
  const timeoutMs = Math.min(WEBHOOK_TIMEOUT_MS, connectorTimeoutMs());
  return {
    secrets: {
      sealedPassword: rotations.sealedPassword,
      pendingSeed: async (accountId, rotationId) => (await rotations.get(accountId, rotationId))?.pendingSeed,
      accountTotp: async (accountId) => (await accounts.get(accountId))?.totp,
    },
    keyring,
    drivers,
    webhookFor: async (accountId, appId) => {
      const account = await accounts.get(accountId);
      const webhook = account ? await webhooks.get(account.workspaceId, appId) : undefined;
      if (!webhook) return undefined;
      return makeWebhookEndpoint({
        url: webhook.url,
        secret: await keyring.open(webhook.secret, webhookSecretContext(webhook.workspaceId, appId)),
        post: (url, headers, body) =>
          safePost(url, headers, body, {
            timeoutMs,
            maxResponseBytes: WEBHOOK_MAX_RESPONSE_BYTES,
            ...(localOrigin ? { localOrigin } : {}),
          }),
        now: () => systemClock.now(),
      });
    },
    clock: systemClock,
  };
}
