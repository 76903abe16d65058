import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parsePushJob } from '../../shared/adapters/sqs/push-jobs';
import { type DeliverDeps, deliverPushJobs } from '../../shared/domain/notifications/deliver';
import type { PushJob } from '../../shared/domain/ports';
import { logger } from '../../shared/observability';
import { count, METRICS } from '../../shared/observability/metrics';
import { type ExternalAdapters, lazyHandler } from '../../shared/runtime/external-adapters';

/**
 * SQS -> SNS mobile push. Reports only the messages to retry (partial batch response). A body that is
 * no push job (a poison message) is reported too: it comes back until the queue moves it to its
 * dead-letter queue, where it is kept for inspection with an alarm, and never holds up its batch.
 */
export function createHandler(adapters?: Pick<ExternalAdapters, 'pushGateway'>) {
  // The dependencies (SDK clients, repositories) load on the first batch: module-load budget.
  return lazyHandler(async () => {
    const deps = (await import('../../shared/runtime/push-fanout')).fanoutDeps(adapters);
    return (event: SQSEvent): Promise<SQSBatchResponse> => fanout(event, deps);
  });
}

export const handler = createHandler();

async function fanout(event: SQSEvent, deps: DeliverDeps): Promise<SQSBatchResponse> {
  const jobs: PushJob[] = [];
  const messageIds: string[] = [];
  const poison: string[] = [];
  for (const record of event.Records) {
    const job = parsePushJob(record.body);
    if (job) {
      jobs.push(job);
      messageIds.push(record.messageId);
    } else {
      logger.error('a message that is not a push job, left for the dead-letter queue', {
        messageId: record.messageId,
      });
      count(METRICS.pushJobsInvalid);
      poison.push(record.messageId);
    }
  }
  const report = await deliverPushJobs(jobs, deps);
  // Flushed with the invocation by the telemetry wrapper; zeros keep the failure-rate alarm defined.
  count(METRICS.pushSent, undefined, report.sent);
  count(METRICS.pushFailed, undefined, report.failed);
  count(METRICS.pushEndpointDisabled, undefined, report.disabled);
  count(METRICS.pushUndeliverable, undefined, report.undeliverable);
  count(METRICS.pushJobsRetried, undefined, report.failedJobs.length);
  logger.info('push batch', { jobs: jobs.length, ...report, failedJobs: report.failedJobs.length });
  return {
    batchItemFailures: [
      ...poison.map((itemIdentifier) => ({ itemIdentifier })),
      ...report.failedJobs.map((index) => ({ itemIdentifier: messageIds[index] as string })),
    ],
  };
}
