import { makeAccountRepository } from '../adapters/dynamodb/account-repository';
import { makeAppWebhookRepository } from '../adapters/dynamodb/app-webhook-repository';
import { sharedDocumentClient } from '../adapters/dynamodb/client';
import { makeRotationRepository } from '../adapters/dynamodb/rotation-repository';
import { newId, systemClock } from '../adapters/ids';
import { ENV, requireEnv } from '../config/env';
import type { Clock } from '../domain/ports';
import type { sweepDueRotations } from '../domain/rotation/use-cases';

/** What the rotation sweep needs: the rotations' due index and the accounts, on a given clock. */
export function rotationSweepDeps(clock: Clock = systemClock): Parameters<typeof sweepDueRotations>[0] {
  const doc = sharedDocumentClient();
  const tableName = requireEnv(ENV.tableName);
  return {
    rotations: makeRotationRepository(doc, tableName),
    accounts: makeAccountRepository(doc, tableName),
    webhooks: makeAppWebhookRepository(doc, tableName),
    newId,
    clock,
  };
}
