import type { OutgoingEmail } from '../ports';
import type { Device } from './model';

/** Email texts, replaceable as one object in the use cases' deps. No code or credential beyond the one intended. */
export interface DeviceEmails {
  verificationCode(input: {
    to: string;
    code: string;
    device: Device;
    expiresInMinutes: number;
  }): OutgoingEmail;
  deviceTrusted(input: { to: string; device: Device; at: Date }): OutgoingEmail;
  /** To each workspace admin when a user reports a device approval request. */
  approvalReported(input: {
    to: string;
    reporter: { email: string; name: string };
    device: Device;
    at: Date;
    blockedUntil: string;
  }): OutgoingEmail;
  /** To the user when one of their devices gets a new encryption key (login grants go to it). */
  deviceKeyChanged(input: { to: string; device: Device; at: Date; replaced: boolean }): OutgoingEmail;
  /** To each workspace admin when a user answers "not me" to an unrecognised login. */
  loginReported(input: {
    to: string;
    reporter: { email: string; name: string };
    device: Device;
    appName: string;
    ip: string;
    at: string;
  }): OutgoingEmail;
}

function describe(device: Device): string {
  return [device.name, `${device.os}${device.browser ? ` / ${device.browser}` : ''}`, device.clientType].join(
    ', ',
  );
}

export const defaultDeviceEmails: DeviceEmails = {
  verificationCode: ({ to, code, device, expiresInMinutes }) => ({
    to,
    subject: 'Your Latchkey verification code',
    text:
      `Your verification code is ${code}\n\n` +
      `Enter it on the device that asked for it: ${describe(device)}.\n` +
      `It expires in ${expiresInMinutes} minutes and works once.\n\n` +
      'If you did not try to sign in on a new device, ignore this email and tell your workspace admin.',
  }),
  deviceTrusted: ({ to, device, at }) => ({
    to,
    subject: 'New device trusted on your Latchkey account',
    text:
      'A new device can now use your Latchkey account:\n\n' +
      `  Name: ${device.name}\n  Operating system: ${device.os}\n` +
      `  Browser: ${device.browser ?? '-'}\n  Client: ${device.clientType}\n  Time: ${at.toISOString()}\n\n` +
      'If this was not you, disable the device in the Latchkey web app now and tell your workspace admin.',
  }),
  approvalReported: ({ to, reporter, device, at, blockedUntil }) => ({
    to,
    subject: 'Latchkey: a device approval request was reported',
    text:
      `${reporter.name} (${reporter.email}) reported a request to add a device to their Latchkey account:\n\n` +
      `  Device: ${describe(device)}\n  Time: ${at.toISOString()}\n\n` +
      `New approval requests for this user are paused until ${blockedUntil}. Someone may hold their ` +
      'sign-in: check their identity provider sessions and reset their password if needed.',
  }),
  deviceKeyChanged: ({ to, device, at, replaced }) => ({
    to,
    subject: replaced
      ? 'A device on your Latchkey account has a new encryption key'
      : 'A device on your Latchkey account can now receive logins',
    text:
      `${replaced ? 'The encryption key of one of your devices was replaced' : 'One of your devices set its encryption key'}; ` +
      'automated logins are now sent to it:\n\n' +
      `  Device: ${describe(device)}\n  Key fingerprint: ${device.publicKey?.thumbprint ?? '-'}\n  Time: ${at.toISOString()}\n\n` +
      'If this was not you, disable the device in the Latchkey web app now and tell your workspace admin.',
  }),
  loginReported: ({ to, reporter, device, appName, ip, at }) => ({
    to,
    subject: 'Latchkey: a login was reported as "not me"',
    text:
      `${reporter.name} (${reporter.email}) says they did not start a login to ${appName}:\n\n` +
      `  Device: ${describe(device)}\n  Address: ${ip}\n  Time: ${at}\n\n` +
      'The device has been disabled. Someone may hold their sign-in or device: check their identity ' +
      "provider sessions, and consider changing the account's password.",
  }),
};
