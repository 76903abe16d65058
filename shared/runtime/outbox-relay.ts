import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CALL_BUDGETS, clientOptions } from '../adapters/aws/call-budget';
import { type EventBus, makeEventBridgeBus } from '../adapters/eventbridge/event-bus';
import { makeSqsPushQueue, makeSqsQueue } from '../adapters/sqs/push-queue';
import { ENV, optionalEnv, requireEnv } from '../config/env';
import type { PushQueue } from '../domain/ports';
import { tracer } from '../observability';
import { sqsClient } from './aws-clients';

export interface OutboxRelayDeps {
  pushQueue: PushQueue;
  bus: EventBus;
  /** Where rotation jobs go (the rotation worker's queue); unset -> they are published to the bus. */
  rotationQueue?: { enqueue(jobs: unknown[]): Promise<void> };
}

/** The relay's adapters in AWS: the push queue and the event bus, with a worker's budget. */
export function outboxRelayDeps(): OutboxRelayDeps {
  const rotationQueueUrl = optionalEnv(ENV.rotationQueueUrl);
  return {
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
