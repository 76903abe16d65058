import { makeDemoDriver } from '../adapters/connectors/demo-driver';
import { makeAccountRepository } from '../adapters/dynamodb/account-repository';
import { sharedDocumentClient } from '../adapters/dynamodb/client';
import { makeRotationRepository } from '../adapters/dynamodb/rotation-repository';
import { systemClock } from '../adapters/ids';
import { ENV, optionalEnv, positiveIntEnv, requireEnv } from '../config/env';
import type { AppDriver, ConnectorDeps } from '../domain/rotation/connector';
import { sharedKeyring } from './keyring';

/** One connector call's time box (the connector function's own timeout sits just above it). */
export function connectorTimeoutMs(): number {
  return positiveIntEnv(ENV.connectorTimeoutMs, 10_000);
}

/** The connector function's adapters: read-only access to sealed secrets, the keyring, the app drivers. */
export function connectorDeps(): ConnectorDeps {
  const doc = sharedDocumentClient();
  const tableName = requireEnv(ENV.tableName);
  const rotations = makeRotationRepository(doc, tableName);
  const accounts = makeAccountRepository(doc, tableName);
  const drivers: Record<string, AppDriver> = {};
  const demoUrl = optionalEnv(ENV.demoAppUrl);
  if (demoUrl) drivers.demo = makeDemoDriver({ baseUrl: demoUrl, timeoutMs: connectorTimeoutMs() });
  return {
    secrets: {
      sealedPassword: rotations.sealedPassword,
      pendingSeed: async (accountId, rotationId) => (await rotations.get(accountId, rotationId))?.pendingSeed,
      accountTotp: async (accountId) => (await accounts.get(accountId))?.totp,
    },
    keyring: sharedKeyring(),
    drivers,
    clock: systemClock,
  };
}
