import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CALL_BUDGETS, clientOptions } from '../adapters/aws/call-budget';
import { sharedDocumentClient } from '../adapters/dynamodb/client';
import { makeOutboxMailDelivery } from '../adapters/dynamodb/outbox-mail';
import { type EventBus, makeEventBridgeBus } from '../adapters/eventbridge/event-bus';
import { makeSesMailer } from '../adapters/ses/mailer';
import { makeSqsPushQueue, makeSqsQueue } from '../adapters/sqs/push-queue';
import { ENV, optionalEnv, requireEnv } from '../config/env';
import type { DomainEvent } from '../domain/events';
import type { PushQueue } from '../domain/ports';
import { tracer } from '../observability';
import { sesClient, sqsClient } from './aws-clients';
import { sharedKeyring } from './keyring';

export interface OutboxRelayDeps {
  pushQueue: PushQueue;
  bus: EventBus;
  /** Where rotation jobs go (the rotation worker's queue); unset -> they are published to the bus. */
  rotationQueue?: { enqueue(jobs: unknown[]): Promise<void> };
  /** Opens a mail event and sends it (SES), skipping one already sent. */
  deliverMail(event: DomainEvent): Promise<unknown>;
}

/**
 * The relay's email sending: the keyring that opens sealed emails (KMS Decrypt in AWS, the local key
 * locally) and SES with a worker's budget. Shared by the Lambda and the local runtime.
 */
export function outboxMailDelivery() {
  const doc = sharedDocumentClient();
  const tableName = requireEnv(ENV.tableName);
  return makeOutboxMailDelivery({
    keyring: sharedKeyring('worker'),
    mailer: makeSesMailer(sesClient('worker'), {
      from: requireEnv(ENV.emailFrom),
      budget: CALL_BUDGETS.worker,
      ...(optionalEnv(ENV.sesConfigurationSet)
        ? { configurationSet: optionalEnv(ENV.sesConfigurationSet) }
        : {}),
    }),
    doc,
    tableName,
  });
}

/** The relay's adapters in AWS: the push queue and the event bus, with a worker's budget. */
export function outboxRelayDeps(): OutboxRelayDeps {
  const rotationQueueUrl = optionalEnv(ENV.rotationQueueUrl);
  return {
    deliverMail: outboxMailDelivery(),
    ...(rotationQueueUrl
      ? {
          rotationQueue: makeSqsQueue<unknown>(sqsClient('worker'), {
            queueUrl: rotationQueueUrl,
            budget: CALL_BUDGETS.worker,
          }),
        }
      : {}),
    pushQueue: makeSqsPushQueue(sqsClient('worker'), {
      queueUrl: requireEnv(ENV.pushQueueUrl),
      budget: CALL_BUDGETS.worker,
    }),
    bus: makeEventBridgeBus(
      tracer.captureAWSv3Client(new EventBridgeClient(clientOptions(CALL_BUDGETS.worker))),
      {
        busName: requireEnv(ENV.eventBusName),
        budget: CALL_BUDGETS.worker,
      },
    ),
  };
}
