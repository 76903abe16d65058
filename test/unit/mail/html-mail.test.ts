import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMail } from '../../../shared/adapters/mime/parse-mail';
import { type InboundMessage, ingestInbound } from '../../../shared/domain/accounts/ingest';
import { intakeMail } from '../../../shared/domain/accounts/mail-intake';
import type { InboxMessage } from '../../../shared/domain/accounts/model';

// Issue 12: mail without a text/plain part used to be stored with an empty `text`. Each fixture is one
// shape (see test/fixtures/mail/README.md); the whole path runs: raw MIME -> intake -> inbox item.
const fixture = (name: string) => readFileSync(`test/fixtures/mail/${name}`);

async function throughInbox(raw: Buffer): Promise<InboxMessage> {
  const queued: InboundMessage[] = [];
  await intakeMail(
    {
      messageId: 'm1',
      timestamp: '2026-11-29T10:00:00.000Z',
      recipients: ['acct-7f3k2@inbox.latchkey.example'],
      from: 'envelope@example.com',
      spam: false,
      virus: false,
    },
    {
      blobs: { get: async () => ({ body: raw, truncated: false }) },
      parse: parseMail,
      queue: { enqueue: async (items) => void queued.push(...items) },
      prefix: 'inbound/',
      maxBytes: 1024 * 1024,
    },
  );
  const stored: InboxMessage[] = [];
  await ingestInbound(queued[0] as InboundMessage, {
    accounts: {
      routeByPhone: async () => undefined,
      routeByEmail: async () => 'acc_1',
      members: async () => [],
      markCodeReceived: async () => undefined,
    },
    inbox: {
      store: async (message) => {
        stored.push(message);
        return { stored: true, notified: false };
      },
      markNotified: async () => undefined,
    },
    notifier: { notify: async () => undefined },
  });
  return stored[0] as InboxMessage;
}

describe('mail without a text/plain part: the inbox text comes from the HTML', () => {
  it.each([
    [
      'HTML only (quoted-printable)',
      'html-only.eml',
      '730418',
      ['Your Acme verification code is:\n730 418', '© Acme Inc. — café street'],
      ['999999', 'color:red', 'Acme\nVerify'],
    ],
    [
      'HTML inside multipart/related',
      'related-html.eml',
      '482913',
      ['Use 482913 to sign in to Globex.'],
      ['cid:'],
    ],
    [
      "a bounce's HTML explanation part",
      'bounce-html.eml',
      null,
      [
        "Delivery has failed to these recipients or groups:\nnobody@far.example\nThe recipient's mailbox is full.",
      ],
      ['Original body that bounced', 'Reporting-MTA'],
    ],
    [
      'HTML in GBK labelled gb2312',
      'gbk-html.eml',
      '605218',
      ['【测试】您的验证码是：605218，5分钟内有效。'],
      [],
    ],
    [
      'a hidden preheader',
      'hidden-preheader.eml',
      '915372',
      ['Your login code is 915372', 'Verify this sign-in <https://hooli.example/verify?t=abc>'],
      ['000000', 'Preheader'],
    ],
  ])('%s', async (_shape, name, code, shows, hides) => {
    const message = await throughInbox(fixture(name));

    for (const text of shows) expect(message.text).toContain(text);
    for (const text of hides) expect(message.text).not.toContain(text);
    expect(message.code).toBe(code);
  });

  it('decodes a GBK sender name and subject as well', async () => {
    const message = await throughInbox(fixture('gbk-html.eml'));

    expect(message).toMatchObject({ from: '测试平台 <service@ceshi.example>', subject: '验证码通知' });
  });
});

describe('forwarded messages (message/rfc822): the inner message is part of the text', () => {
  it('sent inline: the note, the inner header block and the inner HTML as text', async () => {
    const message = await throughInbox(fixture('forwarded.eml'));

    expect(message.text).toContain('Forwarding this, it came to my own address.');
    expect(message.text).toContain('Subject: Your Initech login code');
    expect(message.text).toContain('Your Initech login code is 271828.');
    expect(message.code).toBe('271828');
  });

  it('sent as an attachment: the inner text follows a forwarded-message header, the file is still flagged', async () => {
    const message = await throughInbox(fixture('forwarded-attachment.eml'));

    expect(message.text).toBe(
      'See the attached message.\n\n---------- Forwarded message ----------\n' +
        'From: Vandelay Industries <noreply@vandelay.example>\nSubject: Vandelay access code\n\n' +
        'Your Vandelay access code: 3141 5926\n',
    );
    expect(message.code).toBe('31415926');
    expect(message.flags).toContain('attachments_dropped');
  });

  it("a bounce's returned original is evidence, not text: it stays out (mailparser's SES bounce)", async () => {
    const message = await throughInbox(fixture('mailparser-delivery-status.eml'));

    expect(message.text).toBe(
      'An error occurred while trying to deliver the mail to the following recipients:\nxxxx@xxxx.com\n',
    );
  });

  it('keeps the plain parts when there are some (mailparser nested related/alternative)', async () => {
    const message = await throughInbox(fixture('mailparser-nested.eml'));

    expect(message.text).toContain('Dear Sir,');
    expect(message.text).toContain('The footer');
    expect(message.text).not.toContain('<p>');
  });
});
