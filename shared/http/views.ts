import type * as zc from 'zod/v4/core';
import type { Device } from '../domain/devices/model';
import type { User } from '../domain/users/model';
import type { deviceSchema, deviceSummarySchema, userSchema } from './schemas';

/** Domain objects -> API representations. Only what the client may see, nothing stored-only. */
export function toUserView(user: User): zc.input<typeof userSchema> {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    workspaceId: user.workspaceId,
    workspaceRole: user.workspaceRole,
    status: user.status,
  };
}

/**
 * Never the credential hash or the code: those stay in the table. The number to match only on the
 * pending device's own view; the candidates only to a trusted approver.
 */
export function toDeviceView(
  device: Device,
  currentDeviceId?: string,
  reveal: { numberToMatch?: boolean; candidates?: boolean } = {},
): zc.input<typeof deviceSchema> {
  const waiting = device.status === 'pending_approval';
  return {
    id: device.id,
    name: device.name,
    clientType: device.clientType,
    os: device.os,
    ...(device.browser ? { browser: device.browser } : {}),
    ...(device.model ? { model: device.model } : {}),
    status: device.status,
    verificationMethod: device.verificationMethod,
    createdAt: device.createdAt,
    lastSeenAt: device.lastSeenAt,
    ...(device.trustedAt ? { trustedAt: device.trustedAt } : {}),
    ...(device.push ? { push: { platform: device.push.platform, active: device.push.active } } : {}),
    ...(device.pendingUntil ? { pendingUntil: device.pendingUntil } : {}),
    ...(currentDeviceId ? { current: device.id === currentDeviceId } : {}),
    ...(waiting && reveal.numberToMatch && device.numberToMatch
      ? { numberToMatch: device.numberToMatch }
      : {}),
    ...(waiting && reveal.candidates && device.candidates ? { candidates: device.candidates } : {}),
    ...(device.flags?.length ? { flags: device.flags } : {}),
    ...(device.publicKey
      ? { publicKey: { thumbprint: device.publicKey.thumbprint, setAt: device.publicKey.setAt } }
      : {}),
  };
}

export function toDeviceSummary(
  device: Device,
  currentDeviceId: string,
): zc.input<typeof deviceSummarySchema> {
  return {
    id: device.id,
    name: device.name,
    clientType: device.clientType,
    status: device.status,
    current: device.id === currentDeviceId,
  };
}
