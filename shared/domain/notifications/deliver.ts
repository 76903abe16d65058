import { forEachLimited } from '../concurrency';
import type {
  DeviceRepository,
  PublishOutcome,
  PushDeliveryLog,
  PushGateway,
  PushJob,
  PushTarget,
} from '../ports';
import { NOTIFICATION_CATALOGUE } from './catalogue';
import { pushTargets } from './use-cases';

export interface DeliverDeps {
  gateway: PushGateway;
  deliveries: PushDeliveryLog;
  devices: Pick<DeviceRepository, 'markPushInactive' | 'listDevices'>;
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
  /** Mobile devices that would get the push but have no live endpoint. */
  undeliverable: number;
  /** Indexes of jobs to retry (transient failures): reported to SQS as batch item failures. */
  failedJobs: number[];
}

type DeliverJob = Extract<PushJob, { kind: 'deliver' }>;
interface WorkItem {
  index: number;
  job: DeliverJob;
  target: PushTarget;
}

/**
 * Publishes every target of every job with bounded concurrency. The DynamoDB work is per batch, not
 * per endpoint: the recipients' devices are read once per job (when the job does not name its
 * targets), every (notification, device) is claimed in batched conditional writes before publishing
 * and completed in batched writes after, so a redelivered message sends no second push. A disabled or
 * missing endpoint marks the device's registration inactive; a transient error releases the claim
 * and fails the job so SQS retries it (targets already sent are skipped then).
 */
export async function deliverPushJobs(jobs: PushJob[], deps: DeliverDeps): Promise<DeliveryReport> {
  const report: DeliveryReport = {
    sent: 0,
    skipped: 0,
    disabled: 0,
    failed: 0,
    undeliverable: 0,
    failedJobs: [],
  };
  const failed = new Set<number>();
  const fail = (index: number, error: unknown, kind: string) => {
    failed.add(index);
    report.failed++;
    deps.log?.('push failed', { error: (error as Error).name, kind });
  };
  const now = deps.clock.now();

  const deletes = jobs.flatMap((job, index) =>
    job.kind === 'delete_endpoints' ? job.endpointArns.map((endpointArn) => ({ index, endpointArn })) : [],
  );
  const work: WorkItem[] = [];
  await forEachLimited(
    jobs.flatMap((job, index) => (job.kind === 'deliver' ? [{ job, index }] : [])),
    deps.concurrency,
    async ({ job, index }) => {
      try {
        let targets = job.targets;
        if (!targets) {
          const excluded = new Set(job.excludeDeviceIds ?? []);
          const devices = (await deps.devices.listDevices(job.userId)).filter((d) => !excluded.has(d.id));
          const found = pushTargets(devices, now);
          report.undeliverable += found.undeliverable;
          targets = found.targets;
        }
        for (const target of targets) work.push({ index, job, target });
      } catch (error) {
        fail(index, error, job.kind);
      }
    },
  );

  let claimed: WorkItem[] = [];
  try {
    const granted = await deps.deliveries.claimMany(
      work.map(({ job, target }) => ({ notificationId: job.notificationId, deviceId: target.deviceId })),
      now,
      deps.leaseSeconds ?? 60,
    );
    claimed = work.filter((_, i) => granted[i]);
    report.skipped += work.length - claimed.length;
  } catch (error) {
    for (const { index, job } of work) fail(index, error, job.kind);
  }

  const outcomes: Array<WorkItem & { outcome: PublishOutcome }> = [];
  const publishes = [
    ...deletes.map((item) => ({ delete: item })),
    ...claimed.map((item) => ({ deliver: item })),
  ];
  await forEachLimited(publishes, deps.concurrency, async (item) => {
    if ('delete' in item) {
      try {
        await deps.gateway.deleteEndpoint(item.delete.endpointArn);
      } catch (error) {
        fail(item.delete.index, error, 'delete_endpoints');
      }
      return;
    }
    const { job, target, index } = item.deliver;
    try {
      const outcome = await deps.gateway.publish(target.endpointArn, {
        type: job.type,
        title: job.title,
        body: job.body,
        category: NOTIFICATION_CATALOGUE[job.type].category,
        data: job.data,
      });
      outcomes.push({ index, job, target, outcome });
    } catch (error) {
      fail(index, error, job.kind);
      await deps.deliveries.release(job.notificationId, target.deviceId).catch(() => undefined);
    }
  });

  try {
    await deps.deliveries.completeMany(
      outcomes.map(({ job, target, outcome }) => ({
        notificationId: job.notificationId,
        deviceId: target.deviceId,
        outcome,
      })),
    );
  } catch (error) {
    // Sent, but not recorded: the claims' leases still stop a second push until they run out.
    for (const { index, job } of outcomes) fail(index, error, job.kind);
  }
  for (const { job, target, outcome, index } of outcomes) {
    if (outcome === 'sent') {
      report.sent++;
      continue;
    }
    report.disabled++;
    try {
      await deps.devices.markPushInactive(job.userId, target.deviceId, target.endpointArn, outcome);
    } catch (error) {
      fail(index, error, job.kind);
    }
  }
  report.failedJobs = [...failed].sort((a, b) => a - b);
  return report;
}
