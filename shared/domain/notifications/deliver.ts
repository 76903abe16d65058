import { makePool } from '../concurrency';
import type { PushDevice } from '../devices/model';
import type {
  DeviceRepository,
  PublishOutcome,
  PushDeliveryLog,
  PushGateway,
  PushJob,
  PushJobClaim,
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
  /** The owner of the target device (one of the job's recipients). */
  userId: string;
  target: PushTarget;
}
type Outcome = WorkItem & { outcome: PublishOutcome };
interface JobWork {
  index: number;
  job: DeliverJob;
  items: WorkItem[];
}
type Completion = Parameters<PushDeliveryLog['completeJobs']>[0][number] & { index: number };

/** Jobs claimed per call (one transaction of up to 100) and completions per transaction. */
const CLAIM_CHUNK = 100;
const COMPLETE_CHUNK = 25;

/**
 * Publishes every target of every job through one pool of `concurrency` publishes in flight. The
 * DynamoDB work is per batch and per job, not per endpoint, and overlaps the publishing: the
 * recipients' push devices are read for the whole batch at once (jobs that name their targets skip
 * it); each job (one notification to up to 10 recipients) is claimed with a lease, in conditional
 * transactions of up to 100 jobs, and each claimed chunk enters the pool as soon as its claim returns;
 * when all of a job's publishes have settled, its completion (the device ids handled) is written,
 * conditional on the claim still being this worker's, in transactions of 25 while the rest is still
 * being published. A redelivered job that is done, or held by a live claim, is skipped whole. A
 * disabled or missing endpoint marks the device's registration inactive (and counts as handled); a
 * transient error fails the job so SQS retries it, and its completion releases the claim listing the
 * devices already handled, which the retry skips.
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
  // One claim per job; a second copy of a job in the same batch is skipped (its notification is the
  // same, and one transaction cannot hold two writes to one item).
  const byJob = new Map<string, JobWork>();
  for (const item of work) {
    const entry = byJob.get(item.job.notificationId);
    if (!entry) byJob.set(item.job.notificationId, { index: item.index, job: item.job, items: [item] });
    else if (entry.index === item.index) entry.items.push(item);
    else report.skipped++;
  }

  const outcomes: Outcome[] = [];
  let unrecorded: Completion[] = [];
  const recording: Promise<void>[] = [];
  const record = () => {
    const items = unrecorded;
    unrecorded = [];
    if (items.length === 0) return;
    recording.push(
      deps.deliveries
        .completeJobs(items.map(({ index: _, ...completion }) => completion))
        // Sent, but not recorded: the claims' leases still stop a second push until they run out.
        .catch((error) => {
          for (const { index } of items) fail(index, error, 'deliver');
        }),
    );
  };
  const deliverJob = async ({ index, job, items }: JobWork, claim: PushJobClaim) => {
    const done = new Set(claim.delivered);
    const delivered = [...claim.delivered];
    let transient = false;
    await Promise.all(
      items.map((item) => {
        const { target } = item;
        if (done.has(target.deviceId)) {
          report.skipped++;
          return undefined;
        }
        const publish = async () => {
          try {
            const outcome = await deps.gateway.publish(target.endpointArn, {
              type: job.type,
              title: job.title,
              body: job.body,
              category: NOTIFICATION_CATALOGUE[job.type].category,
              data: job.data,
            });
            outcomes.push({ ...item, outcome });
            delivered.push(target.deviceId);
          } catch (error) {
            transient = true;
            fail(index, error, job.kind);
          }
        };
        const published = pool(publish);
        running.push(published);
        return published;
      }),
    );
    unrecorded.push({
      index,
      notificationId: job.notificationId,
      leaseUntil: claim.leaseUntil,
      delivered,
      done: !transient,
    });
    if (unrecorded.length >= COMPLETE_CHUNK) record();
  };

  const pending = [...byJob.values()];
  const chunks: JobWork[][] = [];
  for (let i = 0; i < pending.length; i += CLAIM_CHUNK) chunks.push(pending.slice(i, i + CLAIM_CHUNK));
  const delivering: Promise<void>[] = [];
  await Promise.all(
    chunks.map(async (chunk) => {
      let claims: PushJobClaim[];
      try {
        claims = await deps.deliveries.claimJobs(
          chunk.map(({ job }) => job.notificationId),
          now,
          deps.leaseSeconds ?? 60,
        );
      } catch (error) {
        for (const { index } of chunk) fail(index, error, 'deliver');
        return;
      }
      chunk.forEach((entry, i) => {
        const claim = claims[i];
        if (claim?.granted) delivering.push(deliverJob(entry, claim));
        else report.skipped += entry.items.length;
      });
    }),
  );
  await Promise.all(delivering);
  await Promise.all(running);
  record();
  await Promise.all(recording);

  for (const { userId, target, outcome, index, job } of outcomes) {
    if (outcome === 'sent') {
      report.sent++;
      continue;
    }
    report.disabled++;
    try {
      await deps.devices.markPushInactive(userId, target.deviceId, target.endpointArn, outcome);
    } catch (error) {
      fail(index, error, job.kind);
    }
  }
  report.failedJobs = [...failed].sort((a, b) => a - b);
  return report;
}

/** The users a job delivers to: its recipients when it carries a group, else its one user. */
const usersOf = (job: DeliverJob) => job.recipients ?? [job.userId];

/**
 * Every (job, target) to publish. Jobs that name no targets get their users' push devices, read for
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
      devices = await deps.devices.pushDevices([...new Set(lookups.flatMap(({ job }) => usersOf(job)))]);
    } catch (error) {
      for (const { index, job } of lookups) fail(index, error, job.kind);
      devices = undefined;
    }
  }
  const work: WorkItem[] = [];
  for (const [index, job] of jobs.entries()) {
    if (job.kind !== 'deliver') continue;
    if (job.targets) {
      for (const target of job.targets) work.push({ index, job, userId: job.userId, target });
      continue;
    }
    if (!devices) continue;
    const excluded = new Set(job.excludeDeviceIds ?? []);
    for (const userId of usersOf(job)) {
      const found = pushTargets(
        (devices.get(userId) ?? []).filter((d) => !excluded.has(d.id)),
        now,
      );
      report.undeliverable += found.undeliverable;
      for (const target of found.targets) work.push({ index, job, userId, target });
    }
  }
  return work;
}
