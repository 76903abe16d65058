import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootInMemoryStack } from '../../local/boot';
import type { LocalStack } from '../../local/stack';
import { STREAM_RETRY_ATTEMPTS } from '../../shared/config/stream-consumers';
import { approvedPhone, registerPush, trustedWebSession } from '../support/e2e-devices';
import { client } from './client';

const PUSH_QUEUE = 'latchkey-local-push';

/**
 * After a committed write, a failing SQS call must end delivered (retried by the outbox relay) or in
 * a dead-letter queue: never a 500 to the client, never silently nothing.
 */
describe('faults after a committed write', () => {
  let stack: LocalStack;
  let api: ReturnType<typeof client>;
  const workspace = `fault-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    stack = await bootInMemoryStack({ quiet: true, env: { POWERTOOLS_LOG_LEVEL: 'CRITICAL' } });
    api = client(stack);
    // Members join just in time (acme.example); no test here needs the workspace's owner.
    await api.bootstrap(workspace, `owner-${workspace}@acme.example`);
  });
  afterAll(() => stack?.stop());

  /** A user with a trusted web session, a trusted phone and a live push registration on it. */
  async function userWithPushablePhone() {
    const email = `u-${randomUUID().slice(0, 6)}@acme.example`;
    const web = await trustedWebSession(api, email, { workspace });
    const phone = await approvedPhone(api, web.token, web.credential);
    await registerPush(api, web.token, phone);
    await stack.push.drain();
    return { token: web.token, phoneId: phone.deviceId };
  }

  const pushesTo = (deviceId: string) => stack.push.outbox.filter((push) => push.deviceId === deviceId);

  it('answers 201 while SQS refuses the push job, then delivers it once SQS recovers', async () => {
    const bob = await userWithPushablePhone();
    stack.queues[PUSH_QUEUE]?.failNextSends(2);

    const request = await api.call('POST', '/v1/devices', {
      token: bob.token,
      body: { clientType: 'web', os: 'Linux' },
    });
    await stack.push.drain();

    expect(request.status).toBe(201);
    expect(request.body.verification.method).toBe('approval');
    expect(pushesTo(bob.phoneId)).toEqual([
      expect.objectContaining({
        type: 'trusted_device_request',
        data: expect.objectContaining({ deviceId: request.body.device.id }),
      }),
    ]);
  });

  it('answers 201 while SQS is down for good, and the job ends in the relay dead-letter list', async () => {
    const carol = await userWithPushablePhone();
    const before = (await api.call('GET', '/_local/queues')).body.streams[0].deadLetters.length;
    stack.queues[PUSH_QUEUE]?.failNextSends(100);

    const request = await api.call('POST', '/v1/devices', {
      token: carol.token,
      body: { clientType: 'web', os: 'Linux' },
    });
    await stack.push.drain();
    stack.queues[PUSH_QUEUE]?.failNextSends(0);
    const queues = (await api.call('GET', '/_local/queues')).body;

    expect(request.status).toBe(201);
    expect(pushesTo(carol.phoneId)).toEqual([]);
    expect(queues.streams[0].deadLetters).toHaveLength(before + 1);
    expect(queues.streams[0].deadLetters.at(-1)).toMatchObject({
      eventName: 'INSERT',
      attempts: STREAM_RETRY_ATTEMPTS + 1,
    });
  });
});
