import { forEachLimited } from '../concurrency';
import type { DeviceRepository, PushDeliveryLog, PushGateway, PushJob } from '../ports';
import { NOTIFICATION_CATALOGUE } from './catalogue';

export interface DeliverDeps {
  gateway: PushGateway;
  deliveries: PushDeliveryLog;
  devices: Pick<DeviceRepository, 'markPushInactive'>;
  clock: { now(): Date };
  /** Publish calls in flight at once across the whole batch. */
  concurrency: number;
  leaseSeconds?: number;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export interface DeliveryReport {
  sent: number;
  skipped: number;
  disabled: number;
  /** Targets whose publish (or endpoint deletion) failed: their jobs are retried. */
  failed: number;
  /** Indexes of jobs to retry (transient failures): reported to SQS as batch item failures. */
  failedJobs: number[];
}

/**
 * Publishes every target of every job with bounded concurrency. Each (notification, device) is claimed
 * before publishing and completed after, so a redelivered message sends no second push. A disabled or
 * missing endpoint marks the device's registration inactive right away; a transient error releases the
 * claim and fails the job so SQS retries it (targets already sent are skipped then).
 */
export async function deliverPushJobs(jobs: PushJob[], deps: DeliverDeps): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: 0, skipped: 0, disabled: 0, failed: 0, failedJobs: [] };
  const failed = new Set<number>();
  type WorkItem = { index: number; job: PushJob; deviceId: string; endpointArn: string };
  const work = jobs.flatMap<WorkItem>((job, index) =>
    job.kind === 'deliver'
      ? job.targets.map((target) => ({
          index,
          job,
          deviceId: target.deviceId,
          endpointArn: target.endpointArn,
        }))
      : job.endpointArns.map((endpointArn) => ({ index, job, deviceId: '', endpointArn })),
  );
  await forEachLimited(work, deps.concurrency, async ({ index, job, deviceId, endpointArn }) => {
    const target = { deviceId, endpointArn };
    try {
      if (job.kind === 'delete_endpoints') {
        await deps.gateway.deleteEndpoint(target.endpointArn);
        return;
      }
      const now = deps.clock.now();
      if (!(await deps.deliveries.claim(job.notificationId, target.deviceId, now, deps.leaseSeconds ?? 60))) {
        report.skipped++;
        return;
      }
      let outcome: Awaited<ReturnType<PushGateway['publish']>>;
      try {
        outcome = await deps.gateway.publish(target.endpointArn, {
          type: job.type,
          title: job.title,
          body: job.body,
          category: NOTIFICATION_CATALOGUE[job.type].category,
          data: job.data,
        });
      } catch (error) {
        await deps.deliveries.release(job.notificationId, target.deviceId);
        throw error;
      }
      await deps.deliveries.complete(job.notificationId, target.deviceId, outcome);
      if (outcome === 'sent') report.sent++;
      else {
        report.disabled++;
        await deps.devices.markPushInactive(job.userId, target.deviceId, target.endpointArn, outcome);
      }
    } catch (error) {
      failed.add(index);
      report.failed++;
      deps.log?.('push failed', { error: (error as Error).name, kind: job.kind });
    }
  });
  report.failedJobs = [...failed].sort((a, b) => a - b);
  return report;
}
