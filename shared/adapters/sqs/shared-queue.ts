import { ENV, requireEnv } from '../../config/env';
import type { PushQueue } from '../../ports';
import { simulatedAdapters } from '../simulated';
import { makeSqsPushQueue } from './push-queue';

let shared: PushQueue | undefined;

/** The push work queue for this container (SQS, or the local runtime's in-process queue). */
export function sharedPushQueue(): PushQueue {
  if (simulatedAdapters.pushQueue) return simulatedAdapters.pushQueue;
  shared ??= makeSqsPushQueue({
    queueUrl: requireEnv(ENV.pushQueueUrl),
    region: process.env.AWS_REGION ?? 'us-east-1',
  });
  return shared;
}
