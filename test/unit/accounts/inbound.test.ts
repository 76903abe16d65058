import { readFileSync } from 'node:fs';
import {
  PinpointSMSVoiceV2Client,
  ReleasePhoneNumberCommand,
  RequestPhoneNumberCommand,
  ResourceNotFoundException,
  UpdatePhoneNumberCommand,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createInboundSmsHandler } from '../../../functions/events/inbound-sms';
import { createLocalSqsQueue } from '../../../local/sqs-queue';
import { makePinpointPhoneNumbers } from '../../../shared/adapters/pinpoint/phone-numbers';
import { parseInboundSms, toE164 } from '../../../shared/adapters/sqs/inbound-sms';
import { type InboundMessage, type IngestDeps, ingestInbound } from '../../../shared/domain/accounts/ingest';
import type { InboxMessage } from '../../../shared/domain/accounts/model';

const fixture = JSON.parse(
  readFileSync('test/fixtures/aws-events/inbound-sms.sqs-raw-event.json', 'utf8'),
) as SQSEvent;
const record = fixture.Records[0] as SQSRecord;

describe('parseInboundSms (raw SNS delivery to SQS)', () => {
  it('reads the recorded End User Messaging payload, timed by the SQS SentTimestamp', () => {
    const message = parseInboundSms(record);
    const body = JSON.parse(record.body);

    expect(message).toEqual({
      channel: 'sms',
      naturalId: body.inboundMessageId,
      from: toE164(body.originationNumber),
      to: toE164(body.destinationNumber),
      text: body.messageBody,
      receivedAt: '2026-11-22T12:45:07.000Z',
    });
  });

  it('adds the missing plus of a destination, and refuses bodies that are not two-way SMS', () => {
    const withoutPlus = {
      ...record,
      body: JSON.stringify({ ...JSON.parse(record.body), destinationNumber: '15550100123' }),
    };

    expect(parseInboundSms(withoutPlus)?.to).toBe('+15550100123');
    expect(parseInboundSms({ ...record, body: 'not json' })).toBeUndefined();
    expect(parseInboundSms({ ...record, body: '{"hello":"world"}' })).toBeUndefined();
  });
});

describe('inbound SMS handler (Powertools partial batch response)', () => {
  /** Ingest deps whose phone routing fails for `failing` numbers and knows no other number. */
  const routing = (failing: string[], seen: string[] = []) =>
    ({
      accounts: {
        routeByPhone: async (to: string) => {
          seen.push(to);
          if (failing.includes(to)) throw new Error('DynamoDB unavailable');
          return undefined;
        },
      },
    }) as unknown as IngestDeps;
  const sms = (messageId: string, destinationNumber: string): SQSRecord => ({
    ...record,
    messageId,
    body: JSON.stringify({ ...JSON.parse(record.body), destinationNumber }),
  });

  it('reports exactly the messages whose ingestion failed and the poison ones, so only they come back', async () => {
    const seen: string[] = [];
    const handler = createInboundSmsHandler(routing(['+15550000002'], seen));

    const response = await handler({
      Records: [
        sms('ok', '+15550000001'),
        sms('bad', '+15550000002'),
        { ...record, messageId: 'junk', body: '[]' },
      ],
    });

    expect(response.batchItemFailures.map((item) => item.itemIdentifier).sort()).toEqual(['bad', 'junk']);
    expect(seen).toEqual(['+15550000001', '+15550000002']);
  });

  it('leaves a message that keeps failing in the queue, then in its dead-letter queue', async () => {
    const handler = createInboundSmsHandler(routing(['+15550000002']));
    const queue = createLocalSqsQueue(async () => handler, {
      name: 'sms',
      visibilityTimeoutMs: 5,
      maxReceiveCount: 3,
    });
    const payload = JSON.parse(sms('x', '+15550000002').body);

    await queue.queue.enqueue([payload]);
    await queue.drain();

    expect(queue.snapshot().deadLetters).toEqual([
      expect.objectContaining({ body: payload, receiveCount: 3 }),
    ]);
  });
});

describe('makePinpointPhoneNumbers', () => {
  const sms = mockClient(PinpointSMSVoiceV2Client);
  beforeEach(() => sms.reset());
  const numbers = () =>
    makePinpointPhoneNumbers(new PinpointSMSVoiceV2Client({ region: 'us-east-1' }), {
      inboundTopicArn: 'arn:aws:sns:us-east-1:1:inbound',
      twoWayRoleArn: 'arn:aws:iam::1:role/two-way',
    });

  it('requests a US SMS number and points its two-way channel at the inbound topic', async () => {
    sms.on(RequestPhoneNumberCommand).resolves({ PhoneNumber: '+18885550100', PhoneNumberId: 'phone-1' });
    sms.on(UpdatePhoneNumberCommand).resolves({});

    const result = await numbers().request('non_voip', 'acc_1');

    expect(result).toEqual({ phoneNumber: '+18885550100', phoneNumberId: 'phone-1' });
    expect(sms.commandCalls(RequestPhoneNumberCommand)[0]?.args[0].input).toEqual({
      IsoCountryCode: 'US',
      MessageType: 'TRANSACTIONAL',
      NumberCapabilities: ['SMS'],
      NumberType: 'TOLL_FREE',
      DeletionProtectionEnabled: false,
      Tags: [{ Key: 'latchkey:account', Value: 'acc_1' }],
    });
    expect(sms.commandCalls(UpdatePhoneNumberCommand)[0]?.args[0].input).toEqual({
      PhoneNumberId: 'phone-1',
      TwoWayEnabled: true,
      TwoWayChannelArn: 'arn:aws:sns:us-east-1:1:inbound',
      TwoWayChannelRole: 'arn:aws:iam::1:role/two-way',
    });
  });

  it('asks for a 10DLC long code when VoIP numbers are fine', async () => {
    sms.on(RequestPhoneNumberCommand).resolves({ PhoneNumber: '+12065550100', PhoneNumberId: 'phone-2' });
    sms.on(UpdatePhoneNumberCommand).resolves({});

    await numbers().request('voip', 'acc_1');

    expect(sms.commandCalls(RequestPhoneNumberCommand)[0]?.args[0].input.NumberType).toBe('TEN_DLC');
  });

  it('releases a number, and treats an already released one as done', async () => {
    sms
      .on(ReleasePhoneNumberCommand)
      .resolvesOnce({})
      .rejectsOnce(
        new ResourceNotFoundException({
          message: 'gone',
          $metadata: {},
          ResourceType: 'phone-number',
          ResourceId: 'phone-1',
        }),
      );

    await numbers().release('phone-1');
    await expect(numbers().release('phone-1')).resolves.toBeUndefined();
    expect(sms.commandCalls(ReleasePhoneNumberCommand)[0]?.args[0].input).toEqual({
      PhoneNumberId: 'phone-1',
    });
  });
});

describe('ingestInbound', () => {
  function fakes() {
    const stored = new Map<string, { message: InboxMessage; notified: boolean }>();
    const notified: Array<{ type: string; recipients: string[]; payload: Record<string, string> }> = [];
    const metrics: string[] = [];
    const deps = {
      accounts: {
        routeByPhone: async (to: string) => (to === '+15550100100' ? 'acc_1' : undefined),
        routeByEmail: async () => undefined,
        members: async () => [
          { accountId: 'acc_1', userId: 'usr_1', role: 'owner' as const, addedAt: '' },
          { accountId: 'acc_1', userId: 'usr_2', role: 'collaborator' as const, addedAt: '' },
        ],
        markCodeReceived: async () => undefined,
      },
      inbox: {
        store: async (message: InboxMessage, _days: number, options: { notified?: boolean } = {}) => {
          const existing = stored.get(message.id);
          if (existing) return { stored: false, notified: existing.notified };
          stored.set(message.id, { message, notified: options.notified ?? false });
          return { stored: true, notified: options.notified ?? false };
        },
        markNotified: async (message: InboxMessage) => {
          const entry = stored.get(message.id);
          if (entry) entry.notified = true;
        },
      },
      notifier: {
        // Like the real notifier: the claim is marked in the same write, and only once.
        notify: async (
          type: string,
          recipients: string[],
          payload: Record<string, string>,
          options: { inboundMessageId?: string } = {},
        ) => {
          const claim = options.inboundMessageId ? stored.get(options.inboundMessageId) : undefined;
          if (claim?.notified) return;
          if (claim) claim.notified = true;
          notified.push({ type, recipients, payload });
        },
      },
      count: (metric: string) => metrics.push(metric),
    };
    return { deps, stored, notified, metrics };
  }
  const sms: InboundMessage = {
    channel: 'sms',
    naturalId: 'in-1',
    from: '+12025550123',
    to: '+15550100100',
    text: 'Your Acme code is 482913. Do not share it.',
    receivedAt: '2026-11-23T12:00:00.000Z',
  };

  it('stores the message with its code and tells every member, once, however often it is replayed', async () => {
    const f = fakes();

    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await ingestInbound(sms, f.deps as never));

    expect(outcomes).toEqual(['stored', 'duplicate', 'duplicate']);
    expect(f.stored.size).toBe(1);
    expect([...f.stored.values()][0]?.message).toMatchObject({
      code: '482913',
      kind: 'keyword',
      accountId: 'acc_1',
    });
    expect(f.notified).toEqual([
      {
        type: 'otp_code_received',
        recipients: ['usr_1', 'usr_2'],
        payload: { accountId: 'acc_1', messageId: [...f.stored.keys()][0] },
      },
    ]);
  });

  it('sends the notification on a replay when the first delivery stored but did not notify', async () => {
    const f = fakes();
    const failing = { ...f.deps, notifier: { notify: async () => Promise.reject(new Error('queue down')) } };
    await expect(ingestInbound(sms, failing as never)).rejects.toThrow('queue down');

    await ingestInbound(sms, f.deps as never);

    expect(f.notified).toHaveLength(1);
    expect(f.stored.size).toBe(1);
  });

  it('counts and drops messages for numbers no account has', async () => {
    const f = fakes();

    expect(await ingestInbound({ ...sms, to: '+15550109999' }, f.deps as never)).toBe('unknown_recipient');
    expect(f.metrics).toEqual(['InboundReceived', 'InboundUnknownRecipient']);
    expect(f.stored.size).toBe(0);
  });

  it('stores a message without a code and notifies no one', async () => {
    const f = fakes();

    await ingestInbound({ ...sms, naturalId: 'in-2', text: 'Your order has shipped.' }, f.deps as never);

    expect([...f.stored.values()][0]?.message.code).toBeNull();
    expect(f.notified).toEqual([]);
  });
});
