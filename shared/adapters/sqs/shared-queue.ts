import { ENV, requireEnv } from '../../config/env';
import type { PushQueue } from '../../ports';
import { sqsClient } from '../../runtime/aws-clients';
import { CALL_BUDGETS } from '../aws/call-budget';
import { simulatedAdapters } from '../simulated';
import { makeSqsPushQueue } from './push-queue';

let shared: PushQueue | undefined;

/** The push work queue for this container (SQS, or the local runtime's in-process queue). */
export function sharedPushQueue(): PushQueue {
  if (simulatedAdapters.pushQueue) return simulatedAdapters.pushQueue;
  shared ??= makeSqsPushQueue(sqsClient('request'), {
    queueUrl: requireEnv(ENV.pushQueueUrl),
    budget: CALL_BUDGETS.request,
  });
  return shared;
}
