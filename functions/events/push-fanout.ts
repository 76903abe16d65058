import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parsePushJob } from '../../shared/adapters/sqs/push-jobs';
import { type DeliverDeps, deliverPushJobs } from '../../shared/domain/notifications/deliver';
import type { PushJob } from '../../shared/domain/ports';
import { logger, metrics } from '../../shared/observability';
import { type ExternalAdapters, lazyHandler } from '../../shared/runtime/external-adapters';

/** SQS -> SNS mobile push. Reports only the messages to retry (partial batch response). */
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
  for (const record of event.Records) {
    const job = parsePushJob(record.body);
    if (job) {
      jobs.push(job);
      messageIds.push(record.messageId);
    } else {
      logger.error('dropping a message that is not a push job', { messageId: record.messageId });
      metrics.addMetric('PushJobsInvalid', 'Count', 1);
    }
  }
  const report = await deliverPushJobs(jobs, deps);
  metrics.addMetric('PushSent', 'Count', report.sent);
  metrics.addMetric('PushEndpointDisabled', 'Count', report.disabled);
  metrics.addMetric('PushJobsRetried', 'Count', report.failedJobs.length);
  metrics.publishStoredMetrics();
  logger.info('push batch', { jobs: jobs.length, ...report, failedJobs: report.failedJobs.length });
  return {
    batchItemFailures: report.failedJobs.map((index) => ({ itemIdentifier: messageIds[index] as string })),
  };
}
