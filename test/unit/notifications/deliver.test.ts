import { describe, expect, it } from 'vitest';
import type { Device } from '../../../shared/domain/devices/model';
import { deliverPushJobs } from '../../../shared/domain/notifications/deliver';
import type { PublishOutcome, PushDeliveryLog, PushGateway, PushJob } from '../../../shared/domain/ports';

function fakes(
  outcomes: Record<string, PublishOutcome | Error> = {},
  delayMs = 0,
  userDevices: Device[] = [],
) {
  const published: string[] = [];
  const deleted: string[] = [];
  const inactive: string[] = [];
  const claims = new Map<string, { status: string; leaseUntil: string; delivered: string[] }>();
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
  // The delivery log's contract in memory: one record per job, claimed with a lease, completed with
  // the devices handled (done, or released for a retry).
  const deliveries: PushDeliveryLog = {
    claimJobs: async (ids, now, leaseSeconds) => {
      const leaseUntil = new Date(now.getTime() + leaseSeconds * 1000).toISOString();
      return ids.map((id) => {
        const record = claims.get(id);
        if (record && (record.status !== 'sending' || record.leaseUntil >= now.toISOString())) {
          return { granted: false, delivered: [], leaseUntil };
        }
        claims.set(id, { status: 'sending', leaseUntil, delivered: record?.delivered ?? [] });
        return { granted: true, delivered: record?.delivered ?? [], leaseUntil };
      });
    },
    completeJobs: async (items) => {
      for (const item of items) {
        const record = claims.get(item.notificationId);
        if (record?.status !== 'sending' || record.leaseUntil !== item.leaseUntil) continue;
        claims.set(item.notificationId, {
          status: item.done ? 'done' : 'sending',
          leaseUntil: item.done ? item.leaseUntil : new Date(0).toISOString(),
          delivered: item.delivered,
        });
      }
    },
  };
  const listed: string[] = [];
  const devices = {
    markPushInactive: async (_userId: string, deviceId: string) => {
      inactive.push(deviceId);
    },
    pushDevices: async (userIds: string[]) => {
      listed.push(...userIds);
      return new Map(userIds.map((userId) => [userId, userDevices.filter((d) => d.userId === userId)]));
    },
  };
  return {
    deps: { gateway, deliveries, devices, clock: { now: () => new Date() }, concurrency: 4 },
    published,
    deleted,
    inactive,
    claims,
    listed,
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
    const jobs = [job('n1', ['a']), job('n2', ['b', 'c', 'd'])];

    const report = await deliverPushJobs(jobs, f.deps);
    expect(report).toMatchObject({ sent: 3, failedJobs: [1] });
    // The failed job's claim is released at once, listing what it already handled.
    expect(f.claims.get('n2')).toMatchObject({ status: 'sending', leaseUntil: new Date(0).toISOString() });
    expect(f.claims.get('n2')?.delivered.sort()).toEqual(['dev_b', 'dev_d']);
    expect(f.claims.get('n1')).toMatchObject({ status: 'done', delivered: ['dev_a'] });

    const retryDeps = { ...f.deps, gateway: { ...f.deps.gateway, publish: async () => 'sent' as const } };
    const retry = await deliverPushJobs([jobs[1] as PushJob], retryDeps);
    expect(retry).toMatchObject({ sent: 1, skipped: 2, failedJobs: [] });
    expect(f.claims.get('n2')?.status).toBe('done');
    expect(f.published.sort()).toEqual(['a', 'b', 'd']);
  });

  it('skips a whole job another worker holds with a live claim', async () => {
    const f = fakes();
    await f.deps.deliveries.claimJobs(['n1'], new Date(), 60);

    const report = await deliverPushJobs([job('n1', ['a', 'b']), job('n2', ['c'])], f.deps);

    expect(report).toMatchObject({ sent: 1, skipped: 2, failedJobs: [] });
    expect(f.published).toEqual(['c']);
  });

  it('reads the devices of a job that names no targets: trusted mobiles with a live endpoint, minus the excluded', async () => {
    const at = '2026-11-23T11:00:00.000Z';
    const device = (id: string, overrides: Partial<Device> = {}): Device => ({
      id,
      userId: 'usr_1',
      workspaceId: 'ws',
      clientType: 'mobile',
      os: 'iOS',
      name: id,
      status: 'trusted',
      verificationMethod: 'approval',
      credentialHash: 'h',
      createdAt: at,
      updatedAt: at,
      lastSeenAt: at,
      push: { platform: 'APNS', tokenHash: 't', endpointArn: `arn:${id}`, active: true, updatedAt: at },
      ...overrides,
    });
    const f = fakes({}, 0, [
      device('live'),
      device('asking'),
      device('dead', {
        push: { platform: 'APNS', tokenHash: 't', endpointArn: 'arn:dead', active: false, updatedAt: at },
      }),
      device('laptop', { clientType: 'web' }),
      device('revoked', { status: 'disabled' }),
    ]);
    const { targets: _none, ...rest } = job('n1', []) as Extract<PushJob, { kind: 'deliver' }>;
    const untargeted: PushJob = { ...rest, excludeDeviceIds: ['asking'] };

    const report = await deliverPushJobs([untargeted], f.deps);

    expect(f.published).toEqual(['arn:live']);
    expect(f.listed).toEqual(['usr_1']);
    expect(report).toMatchObject({ sent: 1, undeliverable: 1, failedJobs: [] });
  });

  it('reads the push devices of a whole batch in one call, once per user', async () => {
    const f = fakes();
    const { targets: _none, ...rest } = job('n1', []) as Extract<PushJob, { kind: 'deliver' }>;

    await deliverPushJobs(
      [
        { ...rest, userId: 'usr_1' },
        { ...rest, notificationId: 'n2', userId: 'usr_2' },
        { ...rest, notificationId: 'n3', userId: 'usr_1' },
        job('n4', ['named']),
      ],
      f.deps,
    );

    expect(f.listed).toEqual(['usr_1', 'usr_2']);
  });

  it('fails only the jobs that needed the devices when reading them fails', async () => {
    const f = fakes();
    const down = Object.assign(new Error('down'), { name: 'TimeoutError' });
    const deps = { ...f.deps, devices: { ...f.deps.devices, pushDevices: () => Promise.reject(down) } };
    const { targets: _none, ...untargeted } = job('n1', []) as Extract<PushJob, { kind: 'deliver' }>;

    const report = await deliverPushJobs([untargeted, job('n2', ['named'])], deps);

    expect(report.failedJobs).toEqual([0]);
    expect(f.published).toEqual(['named']);
  });

  it('publishes a claimed chunk while later claims are still being written, and records jobs 25 at a time', async () => {
    const f = fakes({}, 1);
    const events: string[] = [];
    const completions: number[] = [];
    const { claimJobs, completeJobs } = f.deps.deliveries;
    let calls = 0;
    const deps = {
      ...f.deps,
      concurrency: 8,
      gateway: {
        ...f.deps.gateway,
        publish: async (...args: Parameters<PushGateway['publish']>) => {
          events.push('publish');
          return f.deps.gateway.publish(...args);
        },
      },
      deliveries: {
        claimJobs: async (...args: Parameters<typeof claimJobs>) => {
          // The second chunk's claim answers late: the first chunk must not wait for it.
          if (calls++ > 0) await new Promise((resolve) => setTimeout(resolve, 30));
          const granted = await claimJobs(...args);
          events.push(`claimed ${args[0].length}`);
          return granted;
        },
        completeJobs: async (items: Parameters<typeof completeJobs>[0]) => {
          completions.push(items.length);
          return completeJobs(items);
        },
      },
    };
    // 150 jobs of two endpoints each: claims and completions count jobs, not endpoints.
    const jobs = Array.from({ length: 150 }, (_, i) => job(`n${i}`, [`e${i}`, `f${i}`]));

    const report = await deliverPushJobs(jobs, deps);

    expect(report.sent).toBe(300);
    expect(events.filter((e) => e.startsWith('claimed'))).toEqual(['claimed 100', 'claimed 50']);
    expect(events.indexOf('publish')).toBeLessThan(events.indexOf('claimed 50'));
    expect(Math.max(...completions)).toBeLessThanOrEqual(25);
    expect(completions.reduce((a, b) => a + b, 0)).toBe(150);
    expect([...f.claims.values()].every((c) => c.status === 'done' && c.delivered.length === 2)).toBe(true);
    expect(f.maxInFlight()).toBeLessThanOrEqual(8);
  });

  it('fails the jobs whose claims cannot be written, and publishes nothing for them', async () => {
    const f = fakes();
    const down = Object.assign(new Error('down'), { name: 'TimeoutError' });
    const deps = {
      ...f.deps,
      deliveries: { ...f.deps.deliveries, claimJobs: async () => Promise.reject(down) },
    };

    const report = await deliverPushJobs([job('n1', ['a']), job('n2', ['b'])], deps);

    expect(report.failedJobs).toEqual([0, 1]);
    expect(f.published).toEqual([]);
  });

  it('deletes the endpoints of a clean-up job', async () => {
    const f = fakes();

    await deliverPushJobs([{ kind: 'delete_endpoints', userId: 'usr_1', endpointArns: ['x', 'y'] }], f.deps);

    expect(f.deleted.sort()).toEqual(['x', 'y']);
  });
});
