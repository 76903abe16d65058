import type { OutgoingEmail } from '../ports';
import type { Requester } from './model';

/** Identity-confirmation emails, replaceable as one object in the deps. Only the intended link, ever. */
export interface IdentityEmails {
  magicLink(input: {
    to: string;
    link: string;
    actionLabel: string;
    requester: Requester;
    expiresInMinutes: number;
  }): OutgoingEmail;
  reportAlert(input: {
    to: string;
    reporter: { email: string; name: string };
    actionLabel: string;
    requester: Requester;
    at: Date;
  }): OutgoingEmail;
}

function describe(requester: Requester): string {
  const platform = requester.browser ? `${requester.os} / ${requester.browser}` : requester.os;
  return `${requester.deviceName} (${platform}, ${requester.clientType})`;
}

export const defaultIdentityEmails: IdentityEmails = {
  magicLink: ({ to, link, actionLabel, requester, expiresInMinutes }) => ({
    to,
    subject: 'Action required: Confirm your identity',
    text:
      `Someone asked to "${actionLabel}" in Latchkey from ${describe(requester)}` +
      `${requester.ip ? `, IP ${requester.ip}` : ''}.\n\n` +
      `If it was you, open this link and press "Confirm":\n${link}\n\n` +
      `The link works once and expires in ${expiresInMinutes} minutes. Opening it does not sign you in.\n\n` +
      'If it was not you, do not open the link, and tell your workspace admin.',
  }),
  reportAlert: ({ to, reporter, actionLabel, requester, at }) => ({
    to,
    subject: 'Latchkey: an identity confirmation was reported as suspicious',
    text:
      `${reporter.name} <${reporter.email}> denied and reported an identity confirmation request:\n\n` +
      `  Action: ${actionLabel}\n  Requesting device: ${describe(requester)}\n` +
      `  IP: ${requester.ip ?? '-'}\n  Time: ${at.toISOString()}\n\n` +
      "Their pending requests were cancelled and push confirmation is blocked for an hour. Review the user's devices.",
  }),
};
