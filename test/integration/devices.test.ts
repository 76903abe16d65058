import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { deviceKeys } from '../../shared/adapters/dynamodb/device-repository';
import {
  CodeExpiredError,
  DeviceLimitReachedError,
  DeviceNameTakenError,
  InvalidCodeError,
  NotPendingError,
  TooManyAttemptsError,
} from '../../shared/domain/devices/errors';
import {
  approveDevice,
  authenticateDevice,
  type DeviceDeps,
  disableDevice,
  registerDevice,
  renameDevice,
  resendDeviceCode,
  verifyDevice,
} from '../../shared/domain/devices/use-cases';
import { UserDeprovisionedError } from '../../shared/domain/errors';
import type { PushJob } from '../../shared/domain/ports';
import { deprovisionUser } from '../../shared/domain/users/deprovision-user';
import type { User } from '../../shared/domain/users/model';
import { resolveCaller } from '../../shared/domain/users/resolve-caller';
import { deviceDepsOnTable } from '../support/device-deps';
import { callerDeps, localTable, outboxJobsOf, signedIn, unique } from './dynamo';

const { doc, tableName } = localTable();

function setup(start = '2026-11-23T10:00:00.000Z') {
  const { base, clock, emails, events, codeIn } = deviceDepsOnTable(doc, tableName, {
    start,
    hmacKeyByte: 1,
  });
  const queued: PushJob[] = [];
  const notifications: Array<{
    type: string;
    recipients: string[];
    payload: Record<string, string>;
    options?: { excludeDeviceIds?: string[] };
  }> = [];
  const admins: User[] = [];
  const deps: DeviceDeps & { users: typeof base.users } = {
    ...base,
    notifier: {
      notify: async (type, recipients, payload, options) => {
        notifications.push({ type, recipients, payload, ...(options ? { options } : {}) });
      },
    },
    queue: {
      enqueue: async (jobs) => {
        queued.push(...jobs);
      },
    },
    workspaceAdmins: async (workspaceId) => admins.filter((admin) => admin.workspaceId === workspaceId),
  };
  return { deps, clock, emails, events, notifications, queued, codeIn, admins };
}

function identityIn(workspace: string) {
  return {
    issuer: 'https://idp.test',
    subject: unique('sub'),
    email: `${unique('u')}@acme.example`,
    name: 'Someone',
    workspaceName: workspace,
  };
}

async function newUser(deps: ReturnType<typeof setup>['deps'], workspace = unique('ws')) {
  return signedIn(deps.users, identityIn(workspace));
}

const web = { clientType: 'web' as const, os: 'macOS', browser: 'Chrome' };

describe('devices on DynamoDB Local', () => {
  it('onboards the first device by emailed code and trusts it once verified', async () => {
    const { deps, emails, codeIn } = setup();
    const user = await newUser(deps);

    const registration = await registerDevice(user, { ...web, model: 'MacBook' }, deps);
    const code = codeIn(emails[0]);
    const device = await authenticateDevice(user, registration.credential, deps);
    const trusted = await verifyDevice(user, device, device.id, code, deps);

    expect(registration.verification.method).toBe('email_code');
    expect(registration.device.name).toBe(`${user.email.split('@')[0]} MacBook - macOS/Chrome`);
    expect(code).toMatch(/^\d{6}$/);
    expect(trusted.status).toBe('trusted');
    expect((await deps.devices.getDevice(user.id, device.id))?.status).toBe('trusted');
    expect(emails[1]?.subject).toBe('New device trusted on your Latchkey account');
  });

  it('asks for approval once a trusted web device exists, and notifies the user', async () => {
    const { deps, emails, codeIn, notifications } = setup();
    const user = await newUser(deps);
    const first = await registerDevice(user, web, deps);
    const firstDevice = await authenticateDevice(user, first.credential, deps);
    await verifyDevice(user, firstDevice, firstDevice.id, codeIn(emails[0]), deps);

    const second = await registerDevice(user, { clientType: 'mobile', os: 'iOS' }, deps);
    const approver = await authenticateDevice(user, first.credential, deps);
    const approved = await approveDevice(
      user,
      approver,
      second.device.id,
      second.device.numberToMatch ?? '',
      deps,
    );

    expect(second.verification.method).toBe('approval');
    expect(notifications).toEqual([
      {
        type: 'trusted_device_request',
        recipients: [user.id],
        payload: { deviceId: second.device.id, candidates: second.device.candidates?.join(',') },
        // The device asking is never asked: the fan-out may deliver after it is trusted.
        options: { excludeDeviceIds: [second.device.id] },
      },
    ]);
    expect(second.device.candidates).toContain(second.device.numberToMatch);
    expect(approved.status).toBe('trusted');
    await expect(
      approveDevice(user, approver, second.device.id, second.device.numberToMatch ?? '', deps),
    ).rejects.toBeInstanceOf(NotPendingError);
  });

  it('gives exactly 20 devices to 21 simultaneous registrations', async () => {
    // The email cap (10 codes an hour) is not what this test is about.
    const deps = { ...setup().deps, emailQuota: { take: async () => true, release: async () => undefined } };
    const user = await newUser(deps);

    const results = await Promise.allSettled(
      Array.from({ length: 21 }, (_, i) => registerDevice(user, { ...web, name: `Browser ${i}` }, deps)),
    );

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
    const rejected = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toBeInstanceOf(DeviceLimitReachedError);
    expect(await deps.devices.listDevices(user.id)).toHaveLength(20);
  });

  it('lets one of several simultaneous registrations with the same name (any case) win', async () => {
    const { deps } = setup();
    const user = await newUser(deps);

    const results = await Promise.allSettled(
      ['Work Laptop', 'work laptop', 'WORK  LAPTOP', 'Work Laptop'].map((name) =>
        registerDevice(user, { ...web, name }, deps),
      ),
    );

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const result of results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[]) {
      expect(result.reason).toBeInstanceOf(DeviceNameTakenError);
    }
  });

  it('spends no email allowance on a registration that is refused before a code goes out', async () => {
    const { deps, emails } = setup();
    const user = await newUser(deps);
    await registerDevice(user, { ...web, name: 'Laptop' }, deps);
    // Ten refused registrations (the name is taken): each reserved an email, none sent one.
    for (let i = 0; i < 10; i++) {
      await expect(registerDevice(user, { ...web, name: 'Laptop' }, deps)).rejects.toBeInstanceOf(
        DeviceNameTakenError,
      );
    }

    await expect(registerDevice(user, { ...web, name: 'Desktop' }, deps)).resolves.toMatchObject({
      verification: { method: 'email_code' },
    });
    expect(emails).toHaveLength(2);
  });

  it('makes default names unique with a suffix', async () => {
    const { deps } = setup();
    const user = await newUser(deps);

    const names = [];
    for (let i = 0; i < 3; i++) names.push((await registerDevice(user, web, deps)).device.name);

    const base = `${user.email.split('@')[0]} - macOS/Chrome`;
    expect(names).toEqual([base, `${base} (2)`, `${base} (3)`]);
  });

  it('trusts exactly one of 100 simultaneous correct submissions', async () => {
    const { deps, emails, codeIn } = setup();
    const user = await newUser(deps);
    const registration = await registerDevice(user, web, deps);
    const device = await authenticateDevice(user, registration.credential, deps);
    const code = codeIn(emails[0]);

    const results = await Promise.allSettled(
      Array.from({ length: 100 }, () => verifyDevice(user, device, device.id, code, deps)),
    );

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const result of results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[]) {
      expect(result.reason).toBeInstanceOf(NotPendingError);
    }
  });

  it('counts wrong codes atomically: of 10 simultaneous wrong codes 5 count, then even the right one fails', async () => {
    const { deps, emails, codeIn } = setup();
    const user = await newUser(deps);
    const registration = await registerDevice(user, web, deps);
    const device = await authenticateDevice(user, registration.credential, deps);
    const code = codeIn(emails[0]);
    const wrong = code === '000000' ? '000001' : '000000';

    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => verifyDevice(user, device, device.id, wrong, deps)),
    );

    const reasons = (results as PromiseRejectedResult[]).map((r) => r.reason);
    expect(reasons.filter((r) => r instanceof InvalidCodeError)).toHaveLength(5);
    expect(reasons.filter((r) => r instanceof TooManyAttemptsError)).toHaveLength(5);
    expect((await deps.devices.getDevice(user.id, device.id))?.code?.attempts).toBe(5);
    const fresh = await authenticateDevice(user, registration.credential, deps);
    await expect(verifyDevice(user, fresh, fresh.id, code, deps)).rejects.toBeInstanceOf(
      TooManyAttemptsError,
    );
  });

  it('accepts a code at 299 s and refuses it at 300 s', async () => {
    const early = setup('2026-11-23T10:00:00.000Z');
    const user = await newUser(early.deps);
    const registration = await registerDevice(user, web, early.deps);
    const device = await authenticateDevice(user, registration.credential, early.deps);
    const code = early.codeIn(early.emails[0]);

    early.clock.set('2026-11-23T10:05:00.000Z');
    await expect(verifyDevice(user, device, device.id, code, early.deps)).rejects.toBeInstanceOf(
      CodeExpiredError,
    );
    early.clock.set('2026-11-23T10:04:59.000Z');
    await expect(verifyDevice(user, device, device.id, code, early.deps)).resolves.toMatchObject({
      status: 'trusted',
    });
  });

  it('kills the old code when a new one is sent, and enforces the 60 s cooldown', async () => {
    const { deps, emails, codeIn, clock } = setup();
    const user = await newUser(deps);
    const registration = await registerDevice(user, web, deps);
    const device = await authenticateDevice(user, registration.credential, deps);
    const oldCode = codeIn(emails[0]);

    await expect(resendDeviceCode(user, device, device.id, deps)).rejects.toMatchObject({
      details: { retryAfter: 60 },
    });
    clock.set('2026-11-23T10:01:00.000Z');
    await resendDeviceCode(user, device, device.id, deps);
    const newCode = codeIn(emails[1]);
    const fresh = await authenticateDevice(user, registration.credential, deps);

    if (oldCode !== newCode) {
      await expect(verifyDevice(user, fresh, fresh.id, oldCode, deps)).rejects.toBeInstanceOf(
        InvalidCodeError,
      );
    }
    await expect(verifyDevice(user, fresh, fresh.id, newCode, deps)).resolves.toMatchObject({
      status: 'trusted',
    });
  });

  it('refuses a rename to a taken name and frees the old name', async () => {
    const { deps } = setup();
    const user = await newUser(deps);
    const a = await registerDevice(user, { ...web, name: 'Alpha' }, deps);
    await registerDevice(user, { ...web, name: 'Beta' }, deps);

    await expect(renameDevice(user, a.device.id, 'BETA', deps)).rejects.toBeInstanceOf(DeviceNameTakenError);
    await renameDevice(user, a.device.id, 'Gamma', deps);
    await expect(registerDevice(user, { ...web, name: 'alpha' }, deps)).resolves.toBeDefined();
  });

  it('deprovisions a user and disables all their devices in one call', async () => {
    const { deps, emails, codeIn } = setup();
    const workspace = unique('ws');
    const admin = await newUser(deps, workspace);
    const memberIdentity = identityIn(workspace);
    const member = await signedIn(deps.users, memberIdentity);
    const registration = await registerDevice(member, web, deps);
    const device = await authenticateDevice(member, registration.credential, deps);
    await verifyDevice(member, device, device.id, codeIn(emails[0]), deps);
    await registerDevice(member, { clientType: 'mobile', os: 'Android' }, deps);

    const result = await deprovisionUser(admin, member.id, deps);

    expect(result.status).toBe('deprovisioned');
    const devices = await deps.devices.listDevices(member.id);
    expect(devices.map((d) => d.status)).toEqual(['disabled', 'disabled']);
    await expect(
      resolveCaller(memberIdentity, callerDeps(doc, tableName, deps.users)),
    ).rejects.toBeInstanceOf(UserDeprovisionedError);
    const { Item: slots } = await doc.send(
      new GetCommand({ TableName: tableName, Key: deviceKeys.slots(member.id), ConsistentRead: true }),
    );
    expect(slots?.held).toBe(0);
    // Idempotent: a second call (a SCIM retry, say) changes nothing and does not fail.
    await expect(deprovisionUser(admin, member.id, deps)).resolves.toMatchObject({ status: 'deprovisioned' });
  });
});

describe('per-user failure budget', () => {
  it('refuses every code once the user has failed the budget in a row, even a right one', async () => {
    const { deps, emails, codeIn } = setup();
    const budgeted = { ...deps, rules: { userFailureBudget: 3 } };
    const user = await newUser(deps);
    const first = await registerDevice(user, web, budgeted);
    const device = await authenticateDevice(user, first.credential, deps);
    const code = codeIn(emails[0]);
    const wrong = code === '111111' ? '222222' : '111111';

    for (let i = 0; i < 3; i++) {
      await expect(verifyDevice(user, device, device.id, wrong, budgeted)).rejects.toBeInstanceOf(
        InvalidCodeError,
      );
    }

    await expect(verifyDevice(user, device, device.id, code, budgeted)).rejects.toBeInstanceOf(
      TooManyAttemptsError,
    );
  });

  it('lifts the lockout once the window after the last failure has passed', async () => {
    const { deps, emails, codeIn, clock } = setup('2026-11-23T10:00:00.000Z');
    const budgeted = { ...deps, rules: { userFailureBudget: 2, userLockoutSeconds: 600 } };
    const user = await newUser(deps);
    const registration = await registerDevice(user, web, budgeted);
    const device = await authenticateDevice(user, registration.credential, deps);
    const wrong = codeIn(emails[0]) === '111111' ? '222222' : '111111';
    for (let i = 0; i < 2; i++)
      await expect(verifyDevice(user, device, device.id, wrong, budgeted)).rejects.toThrow();

    clock.set('2026-11-23T10:09:59.000Z');
    await resendDeviceCode(user, device, device.id, budgeted);
    const locked = await authenticateDevice(user, registration.credential, deps);
    await expect(verifyDevice(user, locked, locked.id, codeIn(emails[1]), budgeted)).rejects.toBeInstanceOf(
      TooManyAttemptsError,
    );
    clock.set('2026-11-23T10:10:01.000Z');
    await expect(verifyDevice(user, locked, locked.id, codeIn(emails[1]), budgeted)).resolves.toMatchObject({
      status: 'trusted',
    });
  });
});

describe('per-user failure count', () => {
  it('resets after a right code, so only consecutive failures count', async () => {
    const { deps, emails, codeIn } = setup();
    const user = await newUser(deps);
    const registration = await registerDevice(user, web, deps);
    const device = await authenticateDevice(user, registration.credential, deps);
    const code = codeIn(emails[0]);

    await expect(
      verifyDevice(user, device, device.id, code === '111111' ? '222222' : '111111', deps),
    ).rejects.toThrow();
    expect(await storedFailures(user.id)).toBe(1);
    await verifyDevice(user, device, device.id, code, deps);

    expect(await storedFailures(user.id)).toBe(0);
  });

  it('lets exactly the budget of concurrent wrong codes through, the rest locked out', async () => {
    const { deps, emails, codeIn } = setup();
    const budgeted = { ...deps, rules: { userFailureBudget: 3 } };
    const user = await newUser(deps);
    const registration = await registerDevice(user, web, budgeted);
    const device = await authenticateDevice(user, registration.credential, deps);
    const wrong = codeIn(emails[0]) === '111111' ? '222222' : '111111';

    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => verifyDevice(user, device, device.id, wrong, budgeted)),
    );

    const reasons = results.map((r) => (r.status === 'rejected' ? r.reason : r.value));
    expect(reasons.filter((r) => r instanceof InvalidCodeError)).toHaveLength(3);
    expect(reasons.filter((r) => r instanceof TooManyAttemptsError)).toHaveLength(7);
    expect(await storedFailures(user.id)).toBe(3);
  });
});

async function storedFailures(userId: string) {
  const { Item } = await doc.send(
    new GetCommand({ TableName: tableName, Key: deviceKeys.slots(userId), ConsistentRead: true }),
  );
  return Item?.codeFailures;
}

describe('push endpoint clean-up', () => {
  it('writes the deletion of a disabled device’s endpoint, and of all endpoints on deprovision, with the change itself', async () => {
    const { deps: base, emails, codeIn } = setup();
    // Nothing may be sent separately after the commit: a call that would fail there loses the job.
    const deps: DeviceDeps & { users: typeof base.users } = {
      ...base,
      queue: {
        enqueue: async () => {
          throw new Error('a write after the commit');
        },
      },
    };
    const workspace = unique('ws');
    const admin = await newUser(deps, workspace);
    const user = await newUser(deps, workspace);
    const registration = await registerDevice(user, { clientType: 'mobile', os: 'iOS' }, deps);
    const phone = await authenticateDevice(user, registration.credential, deps);
    const trusted = await verifyDevice(user, phone, phone.id, codeIn(emails[0]), deps);
    const push = {
      platform: 'APNS' as const,
      tokenHash: 'h',
      endpointArn: 'arn:one',
      active: true,
      updatedAt: 'x',
    };
    await deps.devices.setPush(trusted, push, new Date());
    const second = await registerDevice(
      user,
      { clientType: 'mobile', os: 'Android', noTrustedDeviceAtHand: true },
      deps,
    );
    const secondPhone = await authenticateDevice(user, second.credential, deps);
    const secondTrusted = await verifyDevice(user, secondPhone, secondPhone.id, codeIn(emails[2]), deps);
    await deps.devices.setPush(secondTrusted, { ...push, endpointArn: 'arn:two' }, new Date());

    await disableDevice(user, trusted, trusted.id, deps);
    await deprovisionUser(admin, user.id, deps);

    expect(await outboxJobsOf(doc, tableName, user.id)).toEqual([
      { kind: 'delete_endpoints', userId: user.id, endpointArns: ['arn:one'] },
      { kind: 'delete_endpoints', userId: user.id, endpointArns: ['arn:two'] },
    ]);
  });
});
