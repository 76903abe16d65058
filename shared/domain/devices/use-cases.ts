import { reserveEmail, sendNotice, withEmailReserved } from '../email-caps';
import { NotFoundError } from '../errors';
import { pushJobsEvent } from '../events';
import type {
  Clock,
  DeviceKeyCodec,
  DeviceRepository,
  EmailQuota,
  Hmac,
  IdGenerator,
  Mailer,
  MailOutbox,
  Notifier,
  PushQueue,
  SecurityEvent,
  SecurityLog,
} from '../ports';
import { cleanLabel } from '../text/sanitize';
import type { User } from '../users/model';
import type { DeviceEmails } from './emails';
import {
  ApprovalExpiredError,
  ApprovalLimitReachedError,
  ApprovalWrongNumberError,
  CodeExpiredError,
  DeviceCredentialInvalidError,
  DeviceCredentialRequiredError,
  DeviceInactiveError,
  DeviceLimitReachedError,
  DeviceNameInvalidError,
  DeviceNameTakenError,
  DeviceNotTrustedError,
  InvalidCodeError,
  NotPendingError,
  ResendLimitReachedError,
  ResendTooSoonError,
  SwitchNotAllowedError,
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
  newNumberChallenge,
  newVerificationCode,
  parseCredential,
  sameNumber,
} from './secrets';

export interface DeviceDeps {
  devices: DeviceRepository;
  mailer: Mailer;
  /** Verification codes go out with the write that stores their hash (outbox, same transaction). */
  mailOutbox: MailOutbox;
  /** Per-user, per-purpose email caps (see `domain/email-caps.ts`). */
  emailQuota: EmailQuota;
  notifier: Notifier;
  /** Where endpoint clean-up goes when a device with push stops being trusted. */
  queue: PushQueue;
  hmac: Hmac;
  clock: Clock;
  newId: IdGenerator;
  security: SecurityLog;
  emails: DeviceEmails;
  /** Active owners, super admins and admins of a workspace: who a reported request alerts. */
  workspaceAdmins: (workspaceId: string) => Promise<User[]>;
  /** Checks device public keys (JWK) and seals login grants to them. */
  deviceKeys: DeviceKeyCodec;
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

/**
 * The outbox event of the email that carries a verification code for `device` (saying how long it
 * stays valid): the write that stores the code's hash writes it too, so the email goes out exactly
 * when that write commits.
 */
async function codeEmail(deps: DeviceDeps, to: string, code: string, device: Device) {
  const expiresInMinutes = Math.round(rules(deps).codeLifetimeSeconds / 60);
  return deps.mailOutbox.event(deps.emails.verificationCode({ to, code, device, expiresInMinutes }));
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
  /** A P-256 public key (JWK) whose private half stays on the device: login grants are sealed to it. */
  publicKey?: Record<string, unknown> | undefined;
}

export interface Registration {
  device: Device;
  credential: string;
  verification: { method: VerificationMethod; expiresAt: string };
}

/** Client-written labels lose control and bidi characters before they are stored or shown. */
function cleanOptionalLabel(value: string | undefined): { value: string | undefined; changed: boolean } {
  if (value === undefined) return { value, changed: false };
  const { text, changed } = cleanLabel(value);
  return { value: text === '' ? undefined : text, changed };
}

const SANITIZED_FLAG = 'sanitized';

function cleanRegistration(input: RegisterDeviceInput) {
  const name = cleanOptionalLabel(input.name);
  const os = cleanOptionalLabel(input.os);
  const browser = cleanOptionalLabel(input.browser);
  const model = cleanOptionalLabel(input.model);
  const changed = [name, os, browser, model].some((field) => field.changed);
  return {
    input: {
      ...input,
      name: name.value,
      os: os.value ?? 'unknown',
      browser: browser.value,
      model: model.value,
    },
    flags: changed ? [SANITIZED_FLAG] : [],
  };
}

const secondsUntil = (iso: string, now: Date) =>
  Math.max(1, Math.ceil((new Date(iso).getTime() - now.getTime()) / 1000));
const secondsToNextHour = (now: Date) =>
  Math.ceil((Math.ceil((now.getTime() + 1) / 3_600_000) * 3_600_000 - now.getTime()) / 1000);

/**
 * A free pending-approval lane of the user, or the refusal: blocked after a report, or all lanes held
 * by live requests (retry when the first of them ends).
 */
async function freeApprovalLane(deps: DeviceDeps, userId: string, now: Date): Promise<number> {
  const limits = rules(deps);
  const [blockedUntil, lanes] = await Promise.all([
    deps.devices.approvalsBlockedUntil(userId),
    deps.devices.approvalLanes(userId),
  ]);
  if (blockedUntil && blockedUntil > now.toISOString()) {
    throw new ApprovalLimitReachedError('reported', secondsUntil(blockedUntil, now));
  }
  const held = lanes.filter((lane) => lane.until > now.toISOString());
  for (let lane = 0; lane < limits.maxPendingApprovals; lane++) {
    if (!held.some((h) => h.lane === lane)) return lane;
  }
  const first = held.map((h) => h.until).sort()[0] ?? now.toISOString();
  throw new ApprovalLimitReachedError('pending_cap', secondsUntil(first, now));
}

export async function registerDevice(
  caller: User,
  raw: RegisterDeviceInput,
  deps: DeviceDeps,
): Promise<Registration> {
  const limits = rules(deps);
  const now = deps.clock.now();
  const { input, flags } = cleanRegistration(raw);
  // Checked before anything is written or sent: a bad key refuses the whole registration.
  const publicKey = raw.publicKey ? await deps.deviceKeys.parsePublicKey(raw.publicKey, now) : undefined;
  const existing = await reclaimExpired(deps, await deps.devices.listDevices(caller.id), now);
  const method = verificationMethodFor({
    clientType: input.clientType,
    noTrustedDeviceAtHand: input.noTrustedDeviceAtHand ?? false,
    approvers: existing.filter((device) => canApprove(device, now)).length,
  });
  const refuse = (reason: string) =>
    audit(deps, { event: 'device.registered', outcome: 'failure', reason, userId: caller.id });
  // Push fatigue: an approval request is refused before anything is created or anyone is notified.
  const laneOrRefuse = async () => {
    try {
      return await freeApprovalLane(deps, caller.id, now);
    } catch (error) {
      if (error instanceof ApprovalLimitReachedError) refuse(String(error.details.reason));
      throw error;
    }
  };
  let lane = method === 'approval' ? await laneOrRefuse() : undefined;
  const reservation =
    method === 'email_code' ? await reserveEmail(deps, caller.id, 'device_code') : undefined;
  const id = deps.newId('dev');
  const secret = newCredentialSecret();
  const issued = method === 'email_code' ? await issueCode(deps, caller.id, id, now) : undefined;
  const numbers = method === 'approval' ? newNumberChallenge() : undefined;
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
    ...(numbers ?? {}),
    ...(flags.length ? { flags } : {}),
    ...(publicKey ? { publicKey } : {}),
  };

  let device: Device | undefined;
  // A chosen name must be free; a default name takes the first free suffix (at most 20 are taken).
  let attempt = 1;
  let laneRetries = 0;
  try {
    while (!device && attempt <= limits.maxDevicesPerUser + 1) {
      const candidate: Device = {
        ...template,
        name: input.name ?? nameCandidate(base, attempt),
        ...(lane !== undefined ? { approvalLane: lane } : {}),
      };
      // The email names the device: one sealed event per name tried (a refused try writes nothing).
      const mail = issued ? [await codeEmail(deps, caller.email, issued.code, candidate)] : [];
      const outcome = await deps.devices.create(
        candidate,
        limits.maxDevicesPerUser,
        lane !== undefined ? { hourlyCap: limits.approvalsPerUserPerHour, now } : undefined,
        mail,
      );
      if (outcome === 'applied') device = candidate;
      else if (outcome === 'limit_reached') {
        refuse('limit_reached');
        throw new DeviceLimitReachedError(limits.maxDevicesPerUser);
      } else if (outcome === 'approval_hourly_cap') {
        refuse('hourly_cap');
        throw new ApprovalLimitReachedError('hourly_cap', secondsToNextHour(now));
      } else if (outcome === 'lane_taken' || outcome === 'approvals_blocked') {
        // A concurrent registration took the lane (or a report landed): look again.
        if (++laneRetries > limits.maxPendingApprovals) throw new Error('approval lanes kept changing');
        lane = await laneOrRefuse();
      } else if (input.name) throw new DeviceNameTakenError();
      else attempt++;
    }
    if (!device) throw new DeviceNameTakenError();
  } catch (error) {
    // Refused: no code goes out, so the email allowance is not spent.
    await reservation?.release();
    throw error;
  }

  audit(deps, {
    event: 'device.registered',
    outcome: 'success',
    userId: caller.id,
    deviceId: id,
    reason: flags.length ? `${method},${SANITIZED_FLAG}` : method,
  });
  if (issued) {
    audit(deps, { event: 'device.code_issued', outcome: 'success', userId: caller.id, deviceId: id });
  } else {
    // Never to the device asking: the fan-out reads the user's devices when it delivers, and by then
    // this one may be trusted with a push endpoint of its own.
    await deps.notifier.notify(
      'trusted_device_request',
      [caller.id],
      { deviceId: id, candidates: (device.candidates ?? []).join(',') },
      { excludeDeviceIds: [id] },
    );
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
  await sendNotice(
    deps,
    caller.id,
    'device_notice',
    deps.emails.deviceTrusted({ to: caller.email, device: trusted, at: now }),
  );
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
  if (device.code.attempts >= limits.maxCodeAttempts || device.code.expiresAt <= now.toISOString()) {
    fail(device.code.attempts >= limits.maxCodeAttempts ? 'too_many_attempts' : 'expired');
    refuseCode(device, limits.maxCodeAttempts, now);
  }
  const budget = { budget: limits.userFailureBudget, since: addSeconds(now, -limits.userLockoutSeconds) };
  const lockedOut = (): never => {
    fail('user_locked_out');
    throw new TooManyAttemptsError();
  };
  const submitted = await deps.hmac.digest(hmacInput.code(caller.id, device.id, code));
  if (!digestsEqual(submitted, device.code.hash)) {
    if (!(await deps.devices.recordCodeFailure(caller.id, budget.budget, now, budget.since))) lockedOut();
    const attempts = await deps.devices.recordWrongCode(device, limits.maxCodeAttempts, now);
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
  const trusted = await deps.devices.trustWithCode(device, limits.maxCodeAttempts, now, budget);
  if (trusted === 'locked_out') lockedOut();
  if (trusted === 'conflict') {
    fail('conflict');
    refuseCode(await deps.devices.getDevice(caller.id, device.id), limits.maxCodeAttempts, now);
  }
  await deps.devices.resetCodeFailures(caller.id);
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
  const issued = await withEmailReserved(deps, caller.id, 'device_code', async () => {
    const issued = await issueCode(deps, caller.id, device.id, now);
    const outcome = await deps.devices.replaceCode(
      device,
      issued.record,
      { cooldownSeconds: limits.resendCooldownSeconds, hourlyCap: limits.resendsPerUserPerHour },
      now,
      [await codeEmail(deps, caller.email, issued.code, device)],
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
    return issued;
  });
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
  deps: Pick<DeviceDeps, 'hmac' | 'clock'> & { devices: Pick<DeviceRepository, 'getDevice' | 'touch'> },
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

/** The calling device as of now (a pending one past its window reads as expired). */
export function currentDevice(device: Device, deps: Pick<DeviceDeps, 'clock'>): Device {
  return { ...device, status: effectiveStatus(device, deps.clock.now()) };
}

/** What `GET /v1/me` says of the session a device credential opens. */
export function sessionOf(device: Device, deps: Pick<DeviceDeps, 'clock'>) {
  return { deviceId: device.id, trusted: effectiveStatus(device, deps.clock.now()) === 'trusted' };
}

/**
 * What a device may see of the caller's devices: a trusted one everything (with the candidates of
 * waiting approvals); one still waiting ("remind me later") only names, types and statuses, from the
 * view; any other is refused.
 */
export async function listDevicesFor(
  caller: User,
  device: Device,
  deps: Pick<DeviceDeps, 'devices' | 'clock'>,
): Promise<{ devices: Device[]; reduced: boolean }> {
  const status = effectiveStatus(device, deps.clock.now());
  if (status !== 'trusted' && !isPending(status)) throw new DeviceNotTrustedError(status);
  return { devices: await listDevices(caller, deps), reduced: status !== 'trusted' };
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

/** Retires a pending approval as denied; a lost race answers from the device as it is now. */
async function denyPending(deps: DeviceDeps, caller: User, device: Device, now: Date) {
  if ((await deps.devices.retire(device, 'denied', now)) === 'conflict') {
    await pendingApproval(deps, await ownDevice(deps, caller, device.id), now);
    throw new NotPendingError();
  }
}

/** Number matching: the right number trusts the device; a wrong one denies the request. */
export async function approveDevice(
  caller: User,
  approver: Device,
  deviceId: string,
  number: string,
  deps: DeviceDeps,
) {
  const now = deps.clock.now();
  const device = await ownDevice(deps, caller, deviceId);
  const event = { event: 'device.approved', userId: caller.id, deviceId, actorDeviceId: approver.id };
  try {
    await pendingApproval(deps, device, now);
    if (!sameNumber(number, device.numberToMatch ?? '')) {
      await denyPending(deps, caller, device, now);
      audit(deps, { ...event, event: 'device.denied', outcome: 'success', reason: 'wrong_number' });
      throw new ApprovalWrongNumberError();
    }
    if ((await deps.devices.approve(device, now)) === 'conflict') {
      await pendingApproval(deps, await ownDevice(deps, caller, deviceId), now);
      throw new NotPendingError();
    }
  } catch (error) {
    if (!(error instanceof ApprovalWrongNumberError)) {
      audit(deps, { ...event, outcome: 'failure', reason: (error as Error).name });
    }
    throw error;
  }
  audit(deps, { ...event, outcome: 'success' });
  return onceTrusted(deps, caller, device, now);
}

/**
 * Deny; with `report` also deny the user's other waiting requests, pause approval requests for
 * `approvalReportBlockSeconds` and alert the workspace admins (email and a security event).
 */
export async function denyDevice(
  caller: User,
  approver: Device,
  deviceId: string,
  report: boolean,
  deps: DeviceDeps,
) {
  const now = deps.clock.now();
  const device = await ownDevice(deps, caller, deviceId);
  const event = {
    event: report ? 'device.reported' : 'device.denied',
    userId: caller.id,
    deviceId,
    actorDeviceId: approver.id,
  };
  try {
    await pendingApproval(deps, device, now);
    await denyPending(deps, caller, device, now);
  } catch (error) {
    audit(deps, { ...event, outcome: 'failure', reason: (error as Error).name });
    throw error;
  }
  audit(deps, { ...event, outcome: 'success' });
  if (report) await reportRequest(deps, caller, approver, device, now);
  return { ...device, status: 'denied' as const, updatedAt: now.toISOString() };
}

async function reportRequest(deps: DeviceDeps, caller: User, approver: Device, device: Device, now: Date) {
  const until = addSeconds(now, rules(deps).approvalReportBlockSeconds).toISOString();
  await deps.devices.blockApprovals(caller.id, until);
  for (const other of await deps.devices.listDevices(caller.id)) {
    if (other.id === device.id || effectiveStatus(other, now) !== 'pending_approval') continue;
    if ((await deps.devices.retire(other, 'denied', now)) === 'applied') {
      audit(deps, {
        event: 'device.denied',
        outcome: 'success',
        reason: 'cancelled',
        userId: caller.id,
        deviceId: other.id,
        actorDeviceId: approver.id,
      });
    }
  }
  for (const admin of await deps.workspaceAdmins(caller.workspaceId)) {
    const email = deps.emails.approvalReported({
      to: admin.email,
      reporter: caller,
      device,
      at: now,
      blockedUntil: until,
    });
    await sendNotice(deps, admin.id, 'security_alert', email);
  }
  audit(deps, {
    event: 'device.report_alerted',
    outcome: 'success',
    reason: 'admins_emailed',
    userId: caller.id,
    deviceId: device.id,
    actorDeviceId: approver.id,
  });
}

/**
 * "I don't have access to my trusted device": a device waiting for approval asks for an emailed code
 * instead, keeping its name and slot. Refused once the request was denied or reported.
 */
export async function switchToCode(caller: User, device: Device, deviceId: string, deps: DeviceDeps) {
  if (device.id !== deviceId) throw new NotFoundError('No such device.');
  const limits = rules(deps);
  const now = deps.clock.now();
  const fail = (reason: string): never => {
    audit(deps, {
      event: 'device.switched_to_code',
      outcome: 'failure',
      reason,
      userId: caller.id,
      deviceId,
    });
    throw new SwitchNotAllowedError(reason);
  };
  const status = effectiveStatus(device, now);
  if (status === 'denied') fail('denied');
  if (status !== 'pending_approval') fail(status);
  const blockedUntil = await deps.devices.approvalsBlockedUntil(caller.id);
  if (blockedUntil && blockedUntil > now.toISOString()) fail('reported');
  const issued = await withEmailReserved(deps, caller.id, 'device_code', async () => {
    const issued = await issueCode(deps, caller.id, device.id, now);
    const pendingUntil = addSeconds(now, limits.pendingVerificationLifetimeSeconds).toISOString();
    const outcome = await deps.devices.switchToCode(
      device,
      issued.record,
      pendingUntil,
      { hourlyCap: limits.resendsPerUserPerHour },
      now,
      [await codeEmail(deps, caller.email, issued.code, device)],
    );
    if (outcome === 'hourly_cap') throw new ResendLimitReachedError(secondsToNextHour(now));
    if (outcome === 'conflict') {
      const current = await deps.devices.getDevice(caller.id, device.id);
      fail(current ? effectiveStatus(current, now) : 'unknown');
    }
    return issued;
  });
  audit(deps, { event: 'device.switched_to_code', outcome: 'success', userId: caller.id, deviceId });
  audit(deps, {
    event: 'device.code_issued',
    outcome: 'success',
    reason: 'switch',
    userId: caller.id,
    deviceId,
  });
  return { method: 'email_code' as const, expiresAt: issued.record.expiresAt };
}

/** SNS hands one endpoint per token: only the device that holds the token now may delete it. */
async function ownsPushToken(deps: DeviceDeps, device: Device): Promise<boolean> {
  if (!device.push) return false;
  const owner = await deps.devices.pushTokenOwner(device.push.tokenHash);
  return !owner || (owner.userId === device.userId && owner.deviceId === device.id);
}

/** Disabling is idempotent: a device that holds no slot any more comes back as it is. */
export async function disableDevice(caller: User, actor: Device, deviceId: string, deps: DeviceDeps) {
  const now = deps.clock.now();
  for (let attempt = 0; attempt < 3; attempt++) {
    const device = await ownDevice(deps, caller, deviceId);
    if (!holdsSlot(device.status)) return { ...device, status: effectiveStatus(device, now) };
    // The endpoint's deletion is written with the retirement (outbox): it cannot be lost in between.
    const endpointArn = device.push?.endpointArn;
    const cleanup =
      endpointArn && (await ownsPushToken(deps, device))
        ? [
            pushJobsEvent(
              [{ kind: 'delete_endpoints', userId: caller.id, endpointArns: [endpointArn] }],
              deps.newId('evt'),
              now.toISOString(),
            ),
          ]
        : [];
    if ((await deps.devices.retire(device, 'disabled', now, cleanup)) === 'applied') {
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

export async function renameDevice(caller: User, deviceId: string, raw: string, deps: DeviceDeps) {
  const now = deps.clock.now();
  const device = await ownDevice(deps, caller, deviceId);
  if (!holdsSlot(effectiveStatus(device, now))) throw new DeviceInactiveError();
  const cleaned = cleanOptionalLabel(raw);
  if (cleaned.value === undefined) throw new DeviceNameInvalidError();
  const name = cleaned.value;
  const flags = cleaned.changed ? [...new Set([...(device.flags ?? []), SANITIZED_FLAG])] : undefined;
  if (device.name === name && !flags) return device;
  const outcome = await deps.devices.rename(device, name, now, flags);
  if (outcome === 'name_taken') throw new DeviceNameTakenError();
  if (outcome === 'conflict') throw new DeviceInactiveError();
  return { ...device, name, updatedAt: now.toISOString(), ...(flags ? { flags } : {}) };
}

/**
 * Sets or replaces the calling device's public key (the key pair is made on the device, so only the
 * device itself can present it). The route asks for an identity confirmation first, and the user is
 * told by email: a stolen credential that re-keys a device would otherwise receive every later grant.
 */
export async function setDevicePublicKey(
  caller: User,
  device: Device,
  deviceId: string,
  jwk: Record<string, unknown>,
  deps: DeviceDeps,
): Promise<Device> {
  if (device.id !== deviceId) throw new NotFoundError('No such device.');
  const now = deps.clock.now();
  const key = await deps.deviceKeys.parsePublicKey(jwk, now);
  if (device.publicKey?.thumbprint === key.thumbprint) return device;
  if ((await deps.devices.setPublicKey(device, key, now)) === 'conflict') throw new DeviceInactiveError();
  audit(deps, {
    event: device.publicKey ? 'device.key_replaced' : 'device.key_set',
    outcome: 'success',
    reason: key.thumbprint,
    userId: caller.id,
    deviceId,
  });
  const updated = { ...device, publicKey: key, updatedAt: now.toISOString() };
  await sendNotice(
    deps,
    caller.id,
    'device_notice',
    deps.emails.deviceKeyChanged({
      to: caller.email,
      device: updated,
      at: now,
      replaced: Boolean(device.publicKey),
    }),
  );
  return updated;
}
