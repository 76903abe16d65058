import { describe, expect, it } from 'vitest';
import { type InboundMessage, inboxText, ingestInbound } from '../../../shared/domain/accounts/ingest';
import {
  INBOX_FROM_LIMIT,
  INBOX_SUBJECT_LIMIT,
  INBOX_TEXT_LIMIT,
  type InboxMessage,
} from '../../../shared/domain/accounts/model';

// Issue 12 (and issue 10's inbox bullet): what people read is sanitised and capped at write time, and
// the stored message says so in `flags`.
const base: InboundMessage = {
  channel: 'email',
  naturalId: 'n1',
  from: 'Acme <no-reply@acme.example>',
  to: 'acct@inbox.latchkey.example',
  subject: 'Your code',
  text: 'Your code is 123456',
  receivedAt: '2026-11-29T10:00:00.000Z',
  flags: ['spam'],
};

async function store(message: InboundMessage): Promise<InboxMessage> {
  let item: InboxMessage | undefined;
  await ingestInbound(message, {
    accounts: {
      routeByPhone: async () => 'acc_1',
      routeByEmail: async () => 'acc_1',
      members: async () => [],
      markCodeReceived: async () => undefined,
    },
    inbox: {
      store: async (m) => {
        item = m;
        return { stored: true, notified: false };
      },
      markNotified: async () => undefined,
    },
    notifier: { notify: async () => undefined },
  });
  return item as InboxMessage;
}

describe('stored inbox text: caps and flags', () => {
  it('stores an ordinary message as received, without new flags', async () => {
    const item = await store(base);

    expect(item).toMatchObject({ from: base.from, subject: 'Your code', text: base.text, flags: ['spam'] });
  });

  it(`cuts a subject over ${INBOX_SUBJECT_LIMIT} characters and flags it truncated (the code in it still counts)`, async () => {
    const subject = `Your code is 424242 ${'x'.repeat(1500)}`;

    const item = await store({ ...base, subject, text: '' });

    expect(item.subject).toBe(subject.slice(0, INBOX_SUBJECT_LIMIT));
    expect(item.flags).toEqual(['spam', 'truncated']);
    expect(item.code).toBe('424242');
  });

  it('flags a cut body and a cut sender, and never splits a surrogate pair at the cut', async () => {
    const text = `${'a'.repeat(INBOX_TEXT_LIMIT - 1)}😀 tail`;
    const from = `${'n'.repeat(INBOX_FROM_LIMIT)} <x@y.example>`;

    const item = await store({ ...base, text, from, flags: [] });

    expect(item.text).toBe('a'.repeat(INBOX_TEXT_LIMIT - 1));
    expect(item.from).toBe('n'.repeat(INBOX_FROM_LIMIT));
    expect(item.flags).toEqual(['truncated']);
  });

  it('does not flag a subject of exactly the limit', () => {
    expect(inboxText({ ...base, subject: 's'.repeat(INBOX_SUBJECT_LIMIT) }, false).flags).toEqual(['spam']);
  });
});

describe('stored inbox text: sanitised at write time', () => {
  it('removes bidi overrides and isolates and control characters from sender, subject and body', async () => {
    const item = await store({
      ...base,
      from: 'Support\u202E <evil@attacker.example>',
      subject: 'Your \u2066code\u2069\u0007 is ready',
      text: 'Code:\u202E 654321\u0000\r\nThanks\tteam\u001B[31m',
      flags: [],
    });

    expect(item).toMatchObject({
      from: 'Support <evil@attacker.example>',
      subject: 'Your code is ready',
      text: 'Code: 654321\nThanks\tteam[31m',
      code: '654321',
      flags: ['sanitized'],
    });
  });

  it('works the same for SMS', async () => {
    const item = await store({ ...base, channel: 'sms', subject: undefined, text: 'PIN \u202D4821\u202C' });

    expect(item).toMatchObject({ text: 'PIN 4821', flags: ['spam', 'sanitized'] });
    expect(item).not.toHaveProperty('subject');
  });

  it('keeps a virus-flagged message empty, and still sanitises its headers', async () => {
    const item = await store({ ...base, from: 'a\u202Eb', text: 'code 111222', flags: ['virus'] });

    expect(item).toMatchObject({ from: 'ab', text: '', code: null, flags: ['virus', 'sanitized'] });
  });
});
