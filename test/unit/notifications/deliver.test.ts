import { describe, expect, it } from 'vitest';
import { deliverPushJobs } from '../../../shared/domain/notifications/deliver';
import type { PublishOutcome, PushDeliveryLog, PushGateway, PushJob } from '../../../shared/domain/ports';

function fakes(outcomes: Record<string, PublishOutcome | Error> = {}, delayMs = 0) {
  const published: string[] = [];
  const deleted: string[] = [];
  const inactive: string[] = [];
  const claims = new Map<string, string>();
  let inFlight = 0;
  let maxInFlight = 0;
  const gateway: PushGateway = {
    platformConfigured: () => true,
    createEndpoint: async () => 'arn',
    updateEndpoint: async () => 'updated',
    deleteEndpoint: async (arn) => {
      deleted.push(arn);
    },
    publish: async (arn) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      inFlight--;
      const outcome = outcomes[arn] ?? 'sent';
      if (outcome instanceof Error) throw outcome;
      published.push(arn);
      return outcome;
    },
  };
  const deliveries: PushDeliveryLog = {
    claim: async (n, d) => {
      if (claims.has(`${n}/${d}`)) return false;
      claims.set(`${n}/${d}`, 'sending');
      return true;
    },
    complete: async (n, d, outcome) => {
      claims.set(`${n}/${d}`, outcome);
    },
    release: async (n, d) => {
      claims.delete(`${n}/${d}`);
    },
  };
  const devices = {
    markPushInactive: async (_userId: string, deviceId: string) => {
      inactive.push(deviceId);
    },
  };
  return {
    deps: { gateway, deliveries, devices, clock: { now: () => new Date() }, concurrency: 4 },
    published,
    deleted,
    inactive,
    claims,
    maxInFlight: () => maxInFlight,
  };
}

function job(notificationId: string, endpoints: string[]): PushJob {
  return {
    kind: 'deliver',
    notificationId,
    userId: 'usr_1',
    type: 'trusted_device_request',
    title: 't',
    body: 'b',
    data: { deviceId: 'dev_x' },
    targets: endpoints.map((arn) => ({
      deviceId: `dev_${arn}`,
      endpointArn: arn,
      platform: 'APNS' as const,
    })),
  };
}

describe('deliverPushJobs', () => {
  it('publishes every target with at most `concurrency` publishes in flight', async () => {
    const f = fakes({}, 5);
    const jobs = Array.from({ length: 5 }, (_, i) =>
      job(
        `n${i}`,
        ['a', 'b', 'c'].map((x) => `${x}${i}`),
      ),
    );

    const report = await deliverPushJobs(jobs, f.deps);

    expect(report).toMatchObject({ sent: 15, failedJobs: [] });
    expect(f.published).toHaveLength(15);
    expect(f.maxInFlight()).toBeLessThanOrEqual(4);
    expect(f.maxInFlight()).toBeGreaterThan(1);
  });

  it('sends no second push when a message is delivered again', async () => {
    const f = fakes();
    await deliverPushJobs([job('n1', ['a', 'b'])], f.deps);

    const again = await deliverPushJobs([job('n1', ['a', 'b'])], f.deps);

    expect(f.published).toEqual(['a', 'b']);
    expect(again).toMatchObject({ sent: 0, skipped: 2, failedJobs: [] });
  });

  it('marks a disabled endpoint inactive in the same run, without retrying the message', async () => {
    const f = fakes({ b: 'endpoint_disabled' });

    const report = await deliverPushJobs([job('n1', ['a', 'b'])], f.deps);

    expect(report).toMatchObject({ sent: 1, disabled: 1, failedJobs: [] });
    expect(f.inactive).toEqual(['dev_b']);
  });

  it('fails only the jobs with transient errors and lets their retry send just the rest', async () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottledException' });
    const f = fakes({ c: throttled });
    const jobs = [job('n1', ['a']), job('n2', ['b', 'c'])];

    const report = await deliverPushJobs(jobs, f.deps);
    expect(report.failedJobs).toEqual([1]);
    expect(f.claims.get('n2/dev_c')).toBeUndefined();

    const retryDeps = { ...f.deps, gateway: { ...f.deps.gateway, publish: async () => 'sent' as const } };
    const retry = await deliverPushJobs([jobs[1] as PushJob], retryDeps);
    expect(retry).toMatchObject({ sent: 1, skipped: 1, failedJobs: [] });
  });

  it('deletes the endpoints of a clean-up job', async () => {
    const f = fakes();

    await deliverPushJobs([{ kind: 'delete_endpoints', userId: 'usr_1', endpointArns: ['x', 'y'] }], f.deps);

    expect(f.deleted.sort()).toEqual(['x', 'y']);
  });
});
