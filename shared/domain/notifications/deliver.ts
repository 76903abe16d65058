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
  target: PushTarget;
}
type Outcome = WorkItem & { outcome: PublishOutcome };
interface JobEntry {
  index: number;
  job: DeliverJob;
  /** Further copies of the same job in the batch: skipped. */
  copies: number;
}
interface JobWork {
  index: number;
  job: DeliverJob;
  items: WorkItem[];
}
type Completion = Parameters<PushDeliveryLog['completeJobs']>[0][number] & { index: number };

/**
 * Jobs read and claimed together (up to 100 keys per BatchGetItem and 100 jobs per claim transaction),
 * and completions per transaction (written while the rest is still being published).
 */
const CHUNK = 100;
const COMPLETE_CHUNK = 25;

/**
 * Publishes every target of every job through one pool of `concurrency` publishes in flight. The
 * DynamoDB work is per batch and per job, not per endpoint, and overlaps the publishing: the
 * recipients' push devices are read for the whole batch at once (jobs that name their targets skip
 * it); each job (a notification to one recipient) is claimed with a lease, in conditional
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

  // One claim per job; a second copy of a job in the same batch is skipped (its notification is the
  // same, and one transaction cannot hold two writes to one item).
  const byJob = new Map<string, JobEntry>();
  for (const [index, job] of jobs.entries()) {
    if (job.kind !== 'deliver') continue;
    const entry = byJob.get(job.notificationId);
    if (entry) entry.copies++;
    else byJob.set(job.notificationId, { index, job, copies: 0 });
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
  const complete = (c: {
    index: number;
    job: DeliverJob;
    claim: PushJobClaim;
    delivered: string[];
    done: boolean;
  }) => {
    unrecorded.push({
      index: c.index,
      notificationId: c.job.notificationId,
      leaseUntil: c.claim.leaseUntil,
      delivered: c.delivered,
      done: c.done,
    });
    if (unrecorded.length >= COMPLETE_CHUNK) record();
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
    complete({ index, job, claim, delivered, done: !transient });
  };

  // Each chunk's jobs are claimed while their devices are read (the claim is per job, so it does not
  // wait for the targets): the publishing starts after one round trip. A claimed job that turns out to
  // have nothing to publish is completed as done with the rest; one whose devices could not be read
  // releases its claim for the retry.
  const entries = [...byJob.values()];
  const delivering: Promise<void>[] = [];
  const prepare = async (chunk: JobEntry[]) => {
    const [work, claimed] = await Promise.all([
      resolveTargets(chunk, deps, now, report, fail),
      deps.deliveries
        .claimJobs(
          chunk.map(({ job }) => job.notificationId),
          now,
          deps.leaseSeconds ?? 60,
        )
        .catch((error: unknown) => ({ error })),
    ]);
    if ('error' in claimed) {
      for (const { index } of chunk) if (!failed.has(index)) fail(index, claimed.error, 'deliver');
      return;
    }
    const targets = new Map(work.map((entry) => [entry.index, entry]));
    chunk.forEach(({ index, job, copies }, i) => {
      const claim = claimed[i];
      const entry = targets.get(index);
      if (entry) report.skipped += copies * entry.items.length;
      if (!claim?.granted) {
        report.skipped += entry?.items.length ?? 0;
        return;
      }
      if (entry && entry.items.length > 0) delivering.push(deliverJob(entry, claim));
      else complete({ index, job, claim, delivered: claim.delivered, done: entry !== undefined });
    });
  };
  const chunks: JobEntry[][] = [];
  for (let i = 0; i < entries.length; i += CHUNK) chunks.push(entries.slice(i, i + CHUNK));
  await Promise.all(chunks.map(prepare));
  await Promise.all(delivering);
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
 * Each job's targets. Jobs that name none get their user's push devices, read for the whole chunk in
 * one call, minus the devices the job excludes (the requesting device). A failed read fails its jobs.
 */
async function resolveTargets(
  entries: JobEntry[],
  deps: DeliverDeps,
  now: Date,
  report: DeliveryReport,
  fail: (index: number, error: unknown, kind: string) => void,
): Promise<JobWork[]> {
  const lookups = entries.filter(({ job }) => !job.targets);
  let devices: Map<string, PushDevice[]> | undefined = new Map();
  if (lookups.length > 0) {
    try {
      devices = await deps.devices.pushDevices([...new Set(lookups.map(({ job }) => job.userId))]);
    } catch (error) {
      for (const { index, job } of lookups) fail(index, error, job.kind);
      devices = undefined;
    }
  }
  const work: JobWork[] = [];
  for (const { index, job } of entries) {
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
    work.push({ index, job, items: targets.map((target) => ({ index, job, target })) });
  }
  return work;
}
