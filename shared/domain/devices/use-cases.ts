import { NotFoundError } from '../errors';
import type {
  Clock,
  DeviceRepository,
  Hmac,
  IdGenerator,
  Mailer,
  Notifier,
  PushQueue,
  SecurityEvent,
  SecurityLog,
} from '../ports';
import type { User } from '../users/model';
import type { DeviceEmails } from './emails';
import {
  ApprovalExpiredError,
  CodeExpiredError,
  DeviceCredentialInvalidError,
  DeviceCredentialRequiredError,
  DeviceInactiveError,
  DeviceLimitReachedError,
  DeviceNameTakenError,
  InvalidCodeError,
  NotPendingError,
  ResendLimitReachedError,
  ResendTooSoonError,
  TooManyAttemptsError,
} from './errors';
import {
  addSeconds,
  type ClientType,
  canApprove,
  DEVICE_RULES,
  type Device,
  type DeviceCode,
  type DeviceRules,
  defaultDeviceName,
  effectiveStatus,
  holdsSlot,
  isPending,
  nameCandidate,
  type VerificationMethod,
  verificationMethodFor,
} from './model';
import {
  digestsEqual,
  formatCredential,
  hmacInput,
  newCredentialSecret,
  newVerificationCode,
  parseCredential,
} from './secrets';

export interface DeviceDeps {
  devices: DeviceRepository;
  mailer: Mailer;
  notifier: Notifier;
  /** Where endpoint clean-up goes when a device with push stops being trusted. */
  queue: PushQueue;
  hmac: Hmac;
  clock: Clock;
  newId: IdGenerator;
  security: SecurityLog;
  emails: DeviceEmails;
  /** Overrides of DEVICE_RULES (tests; a workspace setting later). */
  rules?: Partial<DeviceRules>;
}

function rules(deps: DeviceDeps): DeviceRules {
  return { ...DEVICE_RULES, ...deps.rules };
}

function audit(deps: DeviceDeps, event: SecurityEvent): void {
  deps.security.record(event);
}

async function issueCode(deps: DeviceDeps, userId: string, deviceId: string, now: Date) {
  const code = newVerificationCode();
  const record: DeviceCode = {
    hash: await deps.hmac.digest(hmacInput.code(userId, deviceId, code)),
    expiresAt: addSeconds(now, rules(deps).codeLifetimeSeconds).toISOString(),
    attempts: 0,
    sentAt: now.toISOString(),
  };
  return { code, record };
}

/** Pending devices past their window still hold a slot until written as expired: free them. */
async function reclaimExpired(deps: DeviceDeps, devices: Device[], now: Date): Promise<Device[]> {
  const live: Device[] = [];
  for (const device of devices) {
    if (isPending(device.status) && effectiveStatus(device, now) === 'expired') {
      if ((await deps.devices.retire(device, 'expired', now)) === 'applied') {
        audit(deps, {
          event: 'device.expired',
          outcome: 'success',
          userId: device.userId,
          deviceId: device.id,
        });
      }
      live.push({ ...device, status: 'expired' });
    } else {
      live.push(device);
    }
  }
  return live;
}

export interface RegisterDeviceInput {
  clientType: ClientType;
  os: string;
  browser?: string | undefined;
  model?: string | undefined;
  name?: string | undefined;
  noTrustedDeviceAtHand?: boolean | undefined;
}

export interface Registration {
  device: Device;
  credential: string;
  verification: { method: VerificationMethod; expiresAt: string };
}

export async function registerDevice(
  caller: User,
  input: RegisterDeviceInput,
  deps: DeviceDeps,
): Promise<Registration> {
  const limits = rules(deps);
  const now = deps.clock.now();
  const existing = await reclaimExpired(deps, await deps.devices.listDevices(caller.id), now);
  const method = verificationMethodFor({
    clientType: input.clientType,
    noTrustedDeviceAtHand: input.noTrustedDeviceAtHand ?? false,
    approvers: existing.filter((device) => canApprove(device, now)).length,
  });
  const id = deps.newId('dev');
  const secret = newCredentialSecret();
  const issued = method === 'email_code' ? await issueCode(deps, caller.id, id, now) : undefined;
  const pendingUntil = addSeconds(
    now,
    method === 'approval' ? limits.approvalLifetimeSeconds : limits.pendingVerificationLifetimeSeconds,
  ).toISOString();
  const base = input.name ?? defaultDeviceName({ email: caller.email, ...input });
  const template: Device = {
    id,
    userId: caller.id,
    workspaceId: caller.workspaceId,
    clientType: input.clientType,
    os: input.os,
    ...(input.browser ? { browser: input.browser } : {}),
    ...(input.model ? { model: input.model } : {}),
    name: base,
    status: method === 'approval' ? 'pending_approval' : 'pending_verification',
    verificationMethod: method,
    credentialHash: await deps.hmac.digest(hmacInput.credential(caller.id, id, secret)),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    pendingUntil,
    ...(issued ? { code: issued.record } : {}),
  };

  let device: Device | undefined;
  // A chosen name must be free; a default name takes the first free suffix (at most 20 are taken).
  for (let attempt = 1; !device && attempt <= limits.maxDevicesPerUser + 1; attempt++) {
    const candidate = { ...template, name: input.name ?? nameCandidate(base, attempt) };
    const outcome = await deps.devices.create(candidate, limits.maxDevicesPerUser);
    if (outcome === 'applied') device = candidate;
    else if (outcome === 'limit_reached') {
      audit(deps, {
        event: 'device.registered',
        outcome: 'failure',
        reason: 'limit_reached',
        userId: caller.id,
      });
      throw new DeviceLimitReachedError(limits.maxDevicesPerUser);
    } else if (input.name) throw new DeviceNameTakenError();
  }
  if (!device) throw new DeviceNameTakenError();

  audit(deps, {
    event: 'device.registered',
    outcome: 'success',
    userId: caller.id,
    deviceId: id,
    reason: method,
  });
  if (issued) {
    await deps.mailer.send(
      deps.emails.verificationCode({
        to: caller.email,
        code: issued.code,
        device,
        expiresInMinutes: Math.round(limits.codeLifetimeSeconds / 60),
      }),
    );
    audit(deps, { event: 'device.code_issued', outcome: 'success', userId: caller.id, deviceId: id });
  } else {
    await deps.notifier.notify('trusted_device_request', [caller.id], { deviceId: id });
  }
  return {
    device,
    credential: formatCredential(id, secret),
    verification: { method, expiresAt: issued ? issued.record.expiresAt : pendingUntil },
  };
}

/** Why a verification write was refused, from the device as it is now. Always throws. */
function refuseCode(device: Device | undefined, maxAttempts: number, now: Date): never {
  if (!device || effectiveStatus(device, now) !== 'pending_verification' || !device.code)
    throw new NotPendingError();
  if (device.code.attempts >= maxAttempts) throw new TooManyAttemptsError();
  if (device.code.expiresAt <= now.toISOString()) throw new CodeExpiredError();
  // The code was replaced (a resend) after the caller read it: the submitted code is the old one.
  throw new InvalidCodeError(maxAttempts - device.code.attempts);
}

async function onceTrusted(deps: DeviceDeps, caller: User, device: Device, now: Date): Promise<Device> {
  const trusted: Device = {
    ...device,
    status: 'trusted',
    trustedAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  delete trusted.code;
  delete trusted.pendingUntil;
  await deps.mailer.send(deps.emails.deviceTrusted({ to: caller.email, device: trusted, at: now }));
  return trusted;
}

/** The pending device proves the emailed code. Consume-once and attempt counting are conditional writes. */
export async function verifyDevice(
  caller: User,
  device: Device,
  deviceId: string,
  code: string,
  deps: DeviceDeps,
): Promise<Device> {
  if (device.id !== deviceId) throw new NotFoundError('No such device.');
  const limits = rules(deps);
  const now = deps.clock.now();
  const fail = (reason: string) =>
    audit(deps, { event: 'device.code_verified', outcome: 'failure', reason, userId: caller.id, deviceId });
  if (effectiveStatus(device, now) !== 'pending_verification' || !device.code) {
    fail('not_pending');
    throw new NotPendingError();
  }
  const lockoutStart = addSeconds(now, -limits.userLockoutSeconds);
  const failures = await deps.devices.consecutiveCodeFailures(caller.id, lockoutStart);
  if (failures >= limits.userFailureBudget) {
    fail('user_locked_out');
    throw new TooManyAttemptsError();
  }
  const submitted = await deps.hmac.digest(hmacInput.code(caller.id, device.id, code));
  if (device.code.attempts >= limits.maxCodeAttempts || device.code.expiresAt <= now.toISOString()) {
    fail(device.code.attempts >= limits.maxCodeAttempts ? 'too_many_attempts' : 'expired');
    refuseCode(device, limits.maxCodeAttempts, now);
  }
  if (!digestsEqual(submitted, device.code.hash)) {
    const attempts = await deps.devices.recordWrongCode(device, limits.maxCodeAttempts, now);
    await deps.devices.recordCodeFailure(caller.id, now, lockoutStart);
    if (attempts === 'conflict') {
      fail('conflict');
      refuseCode(await deps.devices.getDevice(caller.id, device.id), limits.maxCodeAttempts, now);
    }
    fail('wrong_code');
    if (attempts >= limits.maxCodeAttempts) {
      audit(deps, { event: 'device.code_lockout', outcome: 'failure', userId: caller.id, deviceId });
    }
    throw new InvalidCodeError(Math.max(0, limits.maxCodeAttempts - attempts));
  }
  if ((await deps.devices.trustWithCode(device, limits.maxCodeAttempts, now)) === 'conflict') {
    fail('conflict');
    refuseCode(await deps.devices.getDevice(caller.id, device.id), limits.maxCodeAttempts, now);
  }
  if (failures > 0) await deps.devices.resetCodeFailures(caller.id);
  audit(deps, { event: 'device.code_verified', outcome: 'success', userId: caller.id, deviceId });
  return onceTrusted(deps, caller, device, now);
}

/** A fresh code replaces the old one: 60 s apart at the least, 5 per user per hour. */
export async function resendDeviceCode(
  caller: User,
  device: Device,
  deviceId: string,
  deps: DeviceDeps,
): Promise<{ method: 'email_code'; expiresAt: string }> {
  if (device.id !== deviceId) throw new NotFoundError('No such device.');
  const limits = rules(deps);
  const now = deps.clock.now();
  const tooSoon = (current: Device) => {
    const next = addSeconds(new Date(current.code?.sentAt ?? 0), limits.resendCooldownSeconds);
    return next > now ? Math.ceil((next.getTime() - now.getTime()) / 1000) : 0;
  };
  if (effectiveStatus(device, now) !== 'pending_verification') throw new NotPendingError();
  const wait = tooSoon(device);
  if (wait > 0) throw new ResendTooSoonError(wait);
  const issued = await issueCode(deps, caller.id, device.id, now);
  const outcome = await deps.devices.replaceCode(
    device,
    issued.record,
    { cooldownSeconds: limits.resendCooldownSeconds, hourlyCap: limits.resendsPerUserPerHour },
    now,
  );
  if (outcome === 'hourly_cap') {
    const nextHour = Math.ceil((now.getTime() + 1) / 3_600_000) * 3_600_000;
    audit(deps, {
      event: 'device.code_issued',
      outcome: 'failure',
      reason: 'hourly_cap',
      userId: caller.id,
      deviceId,
    });
    throw new ResendLimitReachedError(Math.ceil((nextHour - now.getTime()) / 1000));
  }
  if (outcome === 'conflict') {
    const current = await deps.devices.getDevice(caller.id, device.id);
    if (!current || effectiveStatus(current, now) !== 'pending_verification') throw new NotPendingError();
    throw new ResendTooSoonError(Math.max(1, tooSoon(current)));
  }
  await deps.mailer.send(
    deps.emails.verificationCode({
      to: caller.email,
      code: issued.code,
      device,
      expiresInMinutes: Math.round(limits.codeLifetimeSeconds / 60),
    }),
  );
  audit(deps, {
    event: 'device.code_issued',
    outcome: 'success',
    reason: 'resend',
    userId: caller.id,
    deviceId,
  });
  return { method: 'email_code', expiresAt: issued.record.expiresAt };
}

/**
 * Checks the X-Latchkey-Device credential of the caller: one consistent read, never cached, so a
 * disabled device is refused on its very next request. Returns the device whatever its status.
 */
export async function authenticateDevice(
  caller: User,
  credential: string | undefined,
  deps: Pick<DeviceDeps, 'devices' | 'hmac' | 'clock'>,
): Promise<Device> {
  if (!credential) throw new DeviceCredentialRequiredError();
  const parsed = parseCredential(credential);
  if (!parsed) throw new DeviceCredentialInvalidError();
  const device = await deps.devices.getDevice(caller.id, parsed.deviceId);
  if (!device) throw new DeviceCredentialInvalidError();
  const presented = await deps.hmac.digest(hmacInput.credential(caller.id, device.id, parsed.secret));
  if (!digestsEqual(presented, device.credentialHash)) throw new DeviceCredentialInvalidError();
  const now = deps.clock.now();
  if (addSeconds(new Date(device.lastSeenAt), DEVICE_RULES.lastSeenResolutionSeconds) <= now) {
    await deps.devices.touch(device, now);
    return { ...device, lastSeenAt: now.toISOString() };
  }
  return device;
}

/** The caller's devices, pending approvals first, then newest first; statuses as of now. */
export async function listDevices(
  caller: User,
  deps: Pick<DeviceDeps, 'devices' | 'clock'>,
): Promise<Device[]> {
  const now = deps.clock.now();
  const devices = (await deps.devices.listDevices(caller.id)).map((device) => ({
    ...device,
    status: effectiveStatus(device, now),
  }));
  const rank = (device: Device) => (device.status === 'pending_approval' ? 0 : 1);
  return devices.sort((a, b) => rank(a) - rank(b) || b.createdAt.localeCompare(a.createdAt));
}

async function ownDevice(deps: DeviceDeps, caller: User, deviceId: string): Promise<Device> {
  const device = await deps.devices.getDevice(caller.id, deviceId);
  if (!device) throw new NotFoundError('No such device.');
  return device;
}

/** A pending-approval device within its 15 minutes: the check every approve/deny write repeats. */
async function pendingApproval(deps: DeviceDeps, device: Device, now: Date): Promise<void> {
  if (device.status === 'pending_approval' && effectiveStatus(device, now) === 'expired') {
    await reclaimExpired(deps, [device], now);
    throw new ApprovalExpiredError();
  }
  if (device.status !== 'pending_approval') throw new NotPendingError();
}

export async function approveDevice(caller: User, approver: Device, deviceId: string, deps: DeviceDeps) {
  const now = deps.clock.now();
  const device = await ownDevice(deps, caller, deviceId);
  const event = { event: 'device.approved', userId: caller.id, deviceId, actorDeviceId: approver.id };
  try {
    await pendingApproval(deps, device, now);
    if ((await deps.devices.approve(device, now)) === 'conflict') {
      await pendingApproval(deps, await ownDevice(deps, caller, deviceId), now);
      throw new NotPendingError();
    }
  } catch (error) {
    audit(deps, { ...event, outcome: 'failure', reason: (error as Error).name });
    throw error;
  }
  audit(deps, { ...event, outcome: 'success' });
  return onceTrusted(deps, caller, device, now);
}

export async function denyDevice(caller: User, approver: Device, deviceId: string, deps: DeviceDeps) {
  const now = deps.clock.now();
  const device = await ownDevice(deps, caller, deviceId);
  const event = { event: 'device.denied', userId: caller.id, deviceId, actorDeviceId: approver.id };
  try {
    await pendingApproval(deps, device, now);
    if ((await deps.devices.retire(device, 'denied', now)) === 'conflict') {
      await pendingApproval(deps, await ownDevice(deps, caller, deviceId), now);
      throw new NotPendingError();
    }
  } catch (error) {
    audit(deps, { ...event, outcome: 'failure', reason: (error as Error).name });
    throw error;
  }
  audit(deps, { ...event, outcome: 'success' });
  return { ...device, status: 'denied' as const, updatedAt: now.toISOString() };
}

/** Disabling is idempotent: a device that holds no slot any more comes back as it is. */
export async function disableDevice(caller: User, actor: Device, deviceId: string, deps: DeviceDeps) {
  const now = deps.clock.now();
  for (let attempt = 0; attempt < 3; attempt++) {
    const device = await ownDevice(deps, caller, deviceId);
    if (!holdsSlot(device.status)) return { ...device, status: effectiveStatus(device, now) };
    if ((await deps.devices.retire(device, 'disabled', now)) === 'applied') {
      if (device.push?.endpointArn) {
        await deps.queue.enqueue([
          { kind: 'delete_endpoints', userId: caller.id, endpointArns: [device.push.endpointArn] },
        ]);
      }
      audit(deps, {
        event: 'device.disabled',
        outcome: 'success',
        userId: caller.id,
        deviceId,
        actorDeviceId: actor.id,
      });
      return { ...device, status: 'disabled' as const, updatedAt: now.toISOString() };
    }
  }
  throw new Error(`device ${deviceId} kept changing while being disabled`);
}

export async function renameDevice(caller: User, deviceId: string, name: string, deps: DeviceDeps) {
  const now = deps.clock.now();
  const device = await ownDevice(deps, caller, deviceId);
  if (!holdsSlot(effectiveStatus(device, now))) throw new DeviceInactiveError();
  if (device.name === name) return device;
  const outcome = await deps.devices.rename(device, name, now);
  if (outcome === 'name_taken') throw new DeviceNameTakenError();
  if (outcome === 'conflict') throw new DeviceInactiveError();
  return { ...device, name, updatedAt: now.toISOString() };
}
