import { makePool } from '../concurrency';
import type { PushDevice } from '../devices/model';
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
  devices: Pick<DeviceRepository, 'markPushInactive' | 'pushDevices'>;
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
type Outcome = WorkItem & { outcome: PublishOutcome };

/** Claims per transaction (DynamoDB's limit) and completions per BatchWriteItem (its limit). */
const CLAIM_CHUNK = 100;
const COMPLETE_CHUNK = 25;

/**
 * Publishes every target of every job through one pool of `concurrency` publishes in flight. The
 * DynamoDB work is per batch, not per endpoint, and overlaps the publishing: the recipients' push
 * devices are read for the whole batch at once (jobs that name their targets skip it); every
 * (notification, device) is claimed in conditional transactions of up to 100 before it is published,
 * and each claimed chunk enters the pool as soon as its claim returns; outcomes are recorded in
 * BatchWriteItems of 25 while the rest is still being published. A redelivered message therefore
 * sends no second push. A disabled or missing endpoint marks the device's registration inactive; a
 * transient error releases the claim and fails the job so SQS retries it (targets already sent are
 * skipped then).
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
  const pool = makePool(deps.concurrency);
  const running: Promise<void>[] = [];

  for (const [index, job] of jobs.entries()) {
    if (job.kind !== 'delete_endpoints') continue;
    for (const endpointArn of job.endpointArns) {
      running.push(
        pool(() => deps.gateway.deleteEndpoint(endpointArn)).catch((error) =>
          fail(index, error, 'delete_endpoints'),
        ),
      );
    }
  }

  const work = await resolveTargets(jobs, deps, now, report, fail);

  const outcomes: Outcome[] = [];
  let unrecorded: Outcome[] = [];
  const recording: Promise<void>[] = [];
  const record = () => {
    const items = unrecorded;
    unrecorded = [];
    if (items.length === 0) return;
    recording.push(
      deps.deliveries
        .completeMany(
          items.map(({ job, target, outcome }) => ({
            notificationId: job.notificationId,
            deviceId: target.deviceId,
            outcome,
          })),
        )
        // Sent, but not recorded: the claims' leases still stop a second push until they run out.
        .catch((error) => {
          for (const { index, job } of items) fail(index, error, job.kind);
        }),
    );
  };
  const publish = async (item: WorkItem) => {
    const { job, target, index } = item;
    try {
      const outcome = await deps.gateway.publish(target.endpointArn, {
        type: job.type,
        title: job.title,
        body: job.body,
        category: NOTIFICATION_CATALOGUE[job.type].category,
        data: job.data,
      });
      outcomes.push({ ...item, outcome });
      unrecorded.push({ ...item, outcome });
      if (unrecorded.length >= COMPLETE_CHUNK) record();
    } catch (error) {
      fail(index, error, job.kind);
      await deps.deliveries.release(job.notificationId, target.deviceId).catch(() => undefined);
    }
  };

  const chunks: WorkItem[][] = [];
  for (let i = 0; i < work.length; i += CLAIM_CHUNK) chunks.push(work.slice(i, i + CLAIM_CHUNK));
  await Promise.all(
    chunks.map(async (chunk) => {
      let granted: boolean[];
      try {
        granted = await deps.deliveries.claimMany(
          chunk.map(({ job, target }) => ({ notificationId: job.notificationId, deviceId: target.deviceId })),
          now,
          deps.leaseSeconds ?? 60,
        );
      } catch (error) {
        for (const { index, job } of chunk) fail(index, error, job.kind);
        return;
      }
      chunk.forEach((item, i) => {
        if (granted[i]) running.push(pool(() => publish(item)));
        else report.skipped++;
      });
    }),
  );
  await Promise.all(running);
  record();
  await Promise.all(recording);

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

/**
 * Every (job, target) to publish. Jobs that name no targets get their user's push devices, read for
 * the whole batch in one call, minus the devices the job excludes (the requesting device).
 */
async function resolveTargets(
  jobs: PushJob[],
  deps: DeliverDeps,
  now: Date,
  report: DeliveryReport,
  fail: (index: number, error: unknown, kind: string) => void,
): Promise<WorkItem[]> {
  const lookups = jobs.flatMap((job, index) =>
    job.kind === 'deliver' && !job.targets ? [{ job, index }] : [],
  );
  let devices: Map<string, PushDevice[]> | undefined = new Map();
  if (lookups.length > 0) {
    try {
      devices = await deps.devices.pushDevices([...new Set(lookups.map(({ job }) => job.userId))]);
    } catch (error) {
      for (const { index, job } of lookups) fail(index, error, job.kind);
      devices = undefined;
    }
  }
  const work: WorkItem[] = [];
  for (const [index, job] of jobs.entries()) {
    if (job.kind !== 'deliver') continue;
    let targets = job.targets;
    if (!targets) {
      if (!devices) continue;
      const excluded = new Set(job.excludeDeviceIds ?? []);
      const found = pushTargets(
        (devices.get(job.userId) ?? []).filter((d) => !excluded.has(d.id)),
        now,
      );
      report.undeliverable += found.undeliverable;
      targets = found.targets;
    }
    for (const target of targets) work.push({ index, job, target });
  }
  return work;
}
