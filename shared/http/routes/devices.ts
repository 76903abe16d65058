import type { RouteSpec } from '../route-spec';
import {
  approveDeviceBody,
  denyDeviceBody,
  deviceListResponse,
  devicePublicKeyBody,
  deviceResponse,
  idParams,
  registerDeviceBody,
  registerDeviceResponse,
  renameDeviceBody,
  verificationResponse,
  verifyDeviceBody,
} from '../schemas';

/** Trusted sessions and devices. */
export const devicesRoutes = {
  registerDevice: {
    method: 'POST',
    path: '/v1/devices',
    group: 'devices',
    auth: 'user',
    summary:
      'Registers the calling client as a device; the credential comes back once. A device that needs ' +
      'approval shows `device.numberToMatch`; at most 3 approval requests wait per user, 6 per hour. ' +
      'A `publicKey` (P-256 JWK) lets the device receive login grants once it is trusted.',
    status: 201,
    body: registerDeviceBody,
    response: registerDeviceResponse,
    errors: ['device_limit_reached', 'device_name_taken', 'approval_limit_reached', 'invalid_public_key'],
  },
  setDevicePublicKey: {
    method: 'PUT',
    path: '/v1/devices/{id}/public-key',
    group: 'devices',
    auth: 'trusted',
    confirm: 'device.public_key.set',
    confirmBinds: ['publicKey.x', 'publicKey.y'],
    summary:
      "Sets or replaces the calling device's P-256 public key (identity confirmation, bound to the key); " +
      'the user is told by email. Later login grants are sealed to it.',
    status: 200,
    params: idParams,
    body: devicePublicKeyBody,
    response: deviceResponse,
    errors: ['invalid_public_key', 'device_inactive'],
  },
  getCurrentDevice: {
    method: 'GET',
    path: '/v1/devices/current',
    group: 'devices',
    auth: 'device',
    summary: 'The calling device and its status (a pending device polls this).',
    status: 200,
    response: deviceResponse,
  },
  listDevices: {
    method: 'GET',
    path: '/v1/devices',
    group: 'devices',
    auth: 'device',
    summary:
      "The caller's devices, pending approvals first (with their `candidates`). A device not trusted " +
      'yet gets names, types and statuses only (`reduced: true`).',
    status: 200,
    response: deviceListResponse,
    errors: ['device_not_trusted'],
  },
  verifyDevice: {
    method: 'POST',
    path: '/v1/devices/{id}/verify',
    group: 'devices',
    auth: 'device',
    summary: 'The pending device proves the emailed 6-digit code.',
    status: 200,
    params: idParams,
    body: verifyDeviceBody,
    response: deviceResponse,
    errors: ['invalid_code', 'too_many_attempts', 'code_expired', 'not_pending'],
  },
  resendDeviceCode: {
    method: 'POST',
    path: '/v1/devices/{id}/resend-code',
    group: 'devices',
    auth: 'device',
    summary: 'Emails a fresh code (the old one dies): 60 s apart, 5 per hour.',
    status: 202,
    params: idParams,
    response: verificationResponse,
    errors: ['resend_too_soon', 'resend_limit_reached', 'not_pending'],
  },
  approveDevice: {
    method: 'POST',
    path: '/v1/devices/{id}/approve',
    group: 'devices',
    auth: 'trusted',
    clientTypes: ['web', 'mobile'],
    summary:
      "Approves one of the caller's devices waiting for approval with the number it shows; a wrong " +
      'number denies the request.',
    status: 200,
    params: idParams,
    body: approveDeviceBody,
    response: deviceResponse,
    errors: ['not_pending', 'approval_expired', 'wrong_number'],
  },
  denyDevice: {
    method: 'POST',
    path: '/v1/devices/{id}/deny',
    group: 'devices',
    auth: 'trusted',
    clientTypes: ['web', 'mobile'],
    summary:
      "Denies one of the caller's devices waiting for approval; `report: true` also denies the other " +
      'waiting requests, pauses approval requests for an hour and alerts the workspace admins.',
    status: 200,
    params: idParams,
    body: denyDeviceBody,
    response: deviceResponse,
    errors: ['not_pending', 'approval_expired'],
  },
  switchDeviceToCode: {
    method: 'POST',
    path: '/v1/devices/{id}/switch-to-code',
    group: 'devices',
    auth: 'device',
    summary:
      'The device waiting for approval asks for an emailed code instead ("I don\'t have access to my ' +
      'trusted device"); it keeps its name and slot. Refused after a deny or report.',
    status: 202,
    params: idParams,
    response: verificationResponse,
    errors: ['switch_not_allowed', 'resend_limit_reached'],
  },
  disableDevice: {
    method: 'POST',
    path: '/v1/devices/{id}/disable',
    group: 'devices',
    auth: 'trusted',
    clientTypes: ['web'],
    summary: 'Disables a device: its next request is refused.',
    status: 200,
    params: idParams,
    response: deviceResponse,
  },
  renameDevice: {
    method: 'PATCH',
    path: '/v1/devices/{id}',
    group: 'devices',
    auth: 'trusted',
    clientTypes: ['web'],
    summary: 'Renames a device (names are unique per user, case-insensitively).',
    status: 200,
    params: idParams,
    body: renameDeviceBody,
    response: deviceResponse,
    errors: ['device_name_taken', 'device_inactive'],
  },
} as const satisfies Record<string, RouteSpec>;
