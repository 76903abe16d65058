import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeAccountReader } from '../adapters/dynamodb/account-repository';
import { makeAppWebhookRepository } from '../adapters/dynamodb/app-webhook-repository';
import { sharedDocumentClient } from '../adapters/dynamodb/client';
import { makeRotateByHandList } from '../adapters/dynamodb/logout-repository';
import { makeRotationRepository } from '../adapters/dynamodb/rotation-repository';
import { newId, systemClock } from '../adapters/ids';
import { ENV, requireEnv } from '../config/env';
import type { RotationTriggerDeps } from '../domain/logout/use-cases';
import type { Clock, IdGenerator } from '../domain/ports';

/** What queuing rotations for a trigger needs (the logout group and the `user.deprovisioned` consumer). */
export function rotationTriggerDeps(
  doc: DynamoDBDocumentClient,
  tableName: string,
  ids: { clock: Clock; newId: IdGenerator },
): RotationTriggerDeps {
  return {
    accounts: makeAccountReader(doc, tableName),
    rotations: makeRotationRepository(doc, tableName),
    rotateByHand: makeRotateByHandList(doc, tableName),
    webhooks: makeAppWebhookRepository(doc, tableName),
    ...ids,
  };
}

/** The `user.deprovisioned` rotation consumer's deps, from the environment. */
export function deprovisionedRotationsDeps(): RotationTriggerDeps {
  return rotationTriggerDeps(sharedDocumentClient(), requireEnv(ENV.tableName), {
    clock: systemClock,
    newId,
  });
}
