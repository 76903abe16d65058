import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CALL_BUDGETS, clientOptions } from '../adapters/aws/call-budget';
import { type EventBus, makeEventBridgeBus } from '../adapters/eventbridge/event-bus';
import { makeSqsPushQueue } from '../adapters/sqs/push-queue';
import { ENV, requireEnv } from '../config/env';
import type { PushQueue } from '../domain/ports';
import { tracer } from '../observability';
import { sqsClient } from './aws-clients';

export interface OutboxRelayDeps {
  pushQueue: PushQueue;
  bus: EventBus;
}

/** The relay's adapters in AWS: the push queue and the event bus, with a worker's budget. */
export function outboxRelayDeps(): OutboxRelayDeps {
  return {
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
