import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { deviceKeys } from '../../shared/adapters/dynamodb/device-repository';
import {
  ApprovalLimitReachedError,
  ApprovalWrongNumberError,
  NotPendingError,
  SwitchNotAllowedError,
} from '../../shared/domain/devices/errors';
import type { Device } from '../../shared/domain/devices/model';
import {
  approveDevice,
  authenticateDevice,
  type DeviceDeps,
  denyDevice,
  disableDevice,
  registerDevice,
  switchToCode,
  verifyDevice,
} from '../../shared/domain/devices/use-cases';
import { EmailCapReachedError } from '../../shared/domain/errors';
import { deviceDepsOnTable } from '../support/device-deps';
import { localTable, signedIn, unique } from './dynamo';

const { doc, tableName } = localTable();

function setup(rules: DeviceDeps['rules'] = {}) {
  const { base, clock, emails, events, codeIn } = deviceDepsOnTable(doc, tableName, {
    start: '2026-11-23T10:00:00.000Z',
    hmacKeyByte: 2,
  });
  const pushes: Array<Record<string, string>> = [];
  const deps: DeviceDeps & { users: typeof base.users } = {
    ...base,
    notifier: {
      notify: async (_type, _recipients, payload) => {
        pushes.push(payload);
      },
    },
    queue: { enqueue: async () => {} },
    workspaceAdmins: async () => [
      {
        id: 'adm',
        workspaceId: 'ws',
        email: 'admin@acme.example',
        name: 'Admin',
        workspaceRole: 'admin',
        status: 'active',
        createdAt: '',
        updatedAt: '',
      },
    ],
    rules,
  };
  return { deps, clock, emails, events, pushes, codeIn };
}

/** A user with one trusted web device, so the next registrations need approval. */
async function userWithApprover(env: ReturnType<typeof setup>) {
  const { deps, emails, codeIn } = env;
  const user = await signedIn(deps.users, {
    issuer: 'https://idp.test',
    subject: unique('sub'),
    email: `${unique('u')}@acme.example`,
    name: 'Someone',
    workspaceName: unique('ws'),
  });
  const first = await registerDevice(user, { clientType: 'web', os: 'macOS', browser: 'Chrome' }, deps);
  const device = await authenticateDevice(user, first.credential, deps);
  const approver = await verifyDevice(user, device, device.id, codeIn(emails.at(-1)), deps);
  return { user, approver };
}

const phone = (n: number) => ({ clientType: 'mobile' as const, os: 'iOS', model: `Phone ${n}` });

describe('device approvals: number matching', () => {
  it('denies the request when the approver sends a wrong number', async () => {
    const env = setup();
    const { user, approver } = await userWithApprover(env);
    const pending = await registerDevice(user, phone(1), env.deps);
    const wrong = pending.device.candidates?.find((n) => n !== pending.device.numberToMatch) ?? '00';

    await expect(approveDevice(user, approver, pending.device.id, wrong, env.deps)).rejects.toBeInstanceOf(
      ApprovalWrongNumberError,
    );
    await expect(
      approveDevice(user, approver, pending.device.id, pending.device.numberToMatch ?? '', env.deps),
    ).rejects.toBeInstanceOf(NotPendingError);

    expect((await env.deps.devices.getDevice(user.id, pending.device.id))?.status).toBe('denied');
    expect(pending.device.candidates).toHaveLength(3);
    expect(new Set(pending.device.candidates).size).toBe(3);
    expect(env.events).toContainEqual(
      expect.objectContaining({
        event: 'device.denied',
        reason: 'wrong_number',
        deviceId: pending.device.id,
      }),
    );
  });
});

describe('device approvals: push fatigue', () => {
  it('refuses a 4th waiting approval request before creating anything', async () => {
    const env = setup();
    const { user } = await userWithApprover(env);

    const results = await Promise.allSettled(
      [1, 2, 3, 4, 5, 6].map((n) => registerDevice(user, phone(n), env.deps)),
    );

    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(refused).toHaveLength(3);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(ApprovalLimitReachedError);
      expect(r.reason.details).toMatchObject({ reason: 'pending_cap', retryAfter: 15 * 60 });
    }
    expect(await env.deps.devices.listDevices(user.id)).toHaveLength(4);
    expect(env.pushes).toHaveLength(3);
  });

  it('frees a lane when a request is decided, and caps requests per hour', async () => {
    const env = setup({ approvalsPerUserPerHour: 2 });
    const { user, approver } = await userWithApprover(env);
    const first = await registerDevice(user, phone(1), env.deps);
    await denyDevice(user, approver, first.device.id, false, env.deps);
    const second = await registerDevice(user, phone(2), env.deps);
    await approveDevice(user, approver, second.device.id, second.device.numberToMatch ?? '', env.deps);

    env.clock.set('2026-11-23T10:30:00.000Z');
    const third = registerDevice(user, phone(3), env.deps);

    await expect(third).rejects.toBeInstanceOf(ApprovalLimitReachedError);
    await expect(third).rejects.toMatchObject({ details: { reason: 'hourly_cap', retryAfter: 30 * 60 } });
    env.clock.set('2026-11-23T11:00:00.000Z');
    await expect(registerDevice(user, phone(4), env.deps)).resolves.toMatchObject({
      verification: { method: 'approval' },
    });
  });

  it('deny and report: denies the other requests, pauses new ones, alerts admins, refuses switching', async () => {
    const env = setup();
    const { user, approver } = await userWithApprover(env);
    const reported = await registerDevice(user, phone(1), env.deps);
    const other = await registerDevice(user, phone(2), env.deps);
    const otherDevice = await authenticateDevice(user, other.credential, env.deps);

    await denyDevice(user, approver, reported.device.id, true, env.deps);
    const next = registerDevice(user, phone(3), env.deps);

    await expect(next).rejects.toMatchObject({ details: { reason: 'reported', retryAfter: 3600 } });
    expect((await env.deps.devices.getDevice(user.id, other.device.id))?.status).toBe('denied');
    await expect(switchToCode(user, otherDevice, otherDevice.id, env.deps)).rejects.toBeInstanceOf(
      SwitchNotAllowedError,
    );
    expect(env.emails.at(-1)).toMatchObject({
      to: 'admin@acme.example',
      subject: 'Latchkey: a device approval request was reported',
    });
    expect(env.events).toContainEqual(
      expect.objectContaining({ event: 'device.reported', outcome: 'success', deviceId: reported.device.id }),
    );
    env.clock.set('2026-11-23T11:00:01.000Z');
    await expect(registerDevice(user, phone(4), env.deps)).resolves.toMatchObject({
      verification: { method: 'approval' },
    });
  });
});

describe('device approvals: expiry', () => {
  it('retires an expired request even when its lane already serves a newer one, freeing its slot', async () => {
    const env = setup();
    const { user } = await userWithApprover(env);
    const first = await registerDevice(user, phone(1), env.deps);
    const stored = (await env.deps.devices.listDevices(user.id)).find((d) => d.id === first.device.id);
    expect(stored?.approvalLane).toBeDefined();
    env.clock.set('2026-11-23T10:20:00.000Z');
    // The expired request's lane was free (its `until` passed) and a newer request took it first.
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...deviceKeys.approvalLane(user.id, stored?.approvalLane ?? 0),
          deviceId: 'dev_newer',
          until: '2026-11-23T10:35:00.000Z',
        },
      }),
    );

    const outcome = await env.deps.devices.retire(stored as Device, 'expired', env.clock.now());

    expect(outcome).toBe('applied');
    const after = (await env.deps.devices.listDevices(user.id)).find((d) => d.id === first.device.id);
    expect(after?.status).toBe('expired');
  });
});

describe('device approvals: switch to an emailed code', () => {
  it('keeps the name and slot, frees the approval lane, and verifies by code', async () => {
    const env = setup({ maxPendingApprovals: 1 });
    const { user } = await userWithApprover(env);
    const pending = await registerDevice(user, phone(1), env.deps);
    const device = await authenticateDevice(user, pending.credential, env.deps);

    const verification = await switchToCode(user, device, device.id, env.deps);
    const switched = await authenticateDevice(user, pending.credential, env.deps);
    const trusted = await verifyDevice(user, switched, switched.id, env.codeIn(env.emails.at(-1)), env.deps);

    expect(verification.method).toBe('email_code');
    expect(switched).toMatchObject({ status: 'pending_verification', name: pending.device.name });
    expect(switched.numberToMatch).toBeUndefined();
    expect(trusted.status).toBe('trusted');
    await expect(registerDevice(user, phone(2), env.deps)).resolves.toMatchObject({
      verification: { method: 'approval' },
    });
  });

  it('is refused after the request was denied', async () => {
    const env = setup();
    const { user, approver } = await userWithApprover(env);
    const pending = await registerDevice(user, phone(1), env.deps);
    const device = await authenticateDevice(user, pending.credential, env.deps);
    await denyDevice(user, approver, device.id, false, env.deps);

    await expect(switchToCode(user, device, device.id, env.deps)).rejects.toMatchObject({
      details: { reason: 'denied' },
    });
    const sent = env.emails.length;
    expect(env.emails).toHaveLength(sent);
  });
});

describe('email caps', () => {
  it('stops sending codes after 10 an hour: an extension registered and disabled 30 times gets 10', async () => {
    const env = setup();
    const { user, approver } = await userWithApprover(env);
    const sentBefore = env.emails.length;
    let refusal: unknown;

    for (let i = 0; i < 30 && !refusal; i++) {
      try {
        const extension = await registerDevice(user, { clientType: 'extension', os: 'macOS' }, env.deps);
        await disableDevice(user, approver, extension.device.id, env.deps);
      } catch (error) {
        refusal = error;
      }
    }

    // The first device's code was one of this hour's 10.
    expect(env.emails.length - sentBefore).toBe(9);
    expect(refusal).toBeInstanceOf(EmailCapReachedError);
    expect(refusal).toMatchObject({ details: { purpose: 'device_code', retryAfter: 3600 } });
    expect(
      (await env.deps.devices.listDevices(user.id)).filter((d) => d.clientType === 'extension'),
    ).toHaveLength(9);
  });
});
