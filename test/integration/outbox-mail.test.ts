import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSentEmails, type SesLocal } from '../../local/ses-local';
import { outboxKey, outboxPut, redriveOutboxItem } from '../../shared/adapters/dynamodb/outbox';
import {
  makeMailOutbox,
  makeOutboxMailDelivery,
  makeOutboxMailer,
} from '../../shared/adapters/dynamodb/outbox-mail';
import { newId } from '../../shared/adapters/ids';
import { localDataKeys, makeKeyring } from '../../shared/adapters/kms/keyring';
import type { makeSesMailer } from '../../shared/adapters/ses/mailer';
import { TABLE } from '../../shared/config/table';
import { fixedClock } from '../support/fakes';
import { localTable, unique } from './dynamo';
import { localSesMailer } from './ses';

const { doc, tableName } = localTable();

describe('emails through the outbox (DynamoDB Local, aws-ses-v2-local)', () => {
  let ses: SesLocal;
  let sesMailer: ReturnType<typeof makeSesMailer>;
  beforeAll(async () => {
    ({ ses, sesMailer } = await localSesMailer());
  });
  afterAll(() => ses.stop());

  const keyring = makeKeyring(localDataKeys(randomBytes(32)));
  const outbox = makeMailOutbox(keyring, { clock: fixedClock(), newId });
  const codeEmail = (to: string) => ({
    to,
    subject: 'Your Latchkey verification code',
    text: 'Your verification code is 482913. It expires in 5 minutes.',
  });

  it('stores the email sealed: the outbox item holds neither the code nor the address', async () => {
    const to = `${unique('alice')}@acme.example`;
    const { messageId } = await makeOutboxMailer(doc, tableName, outbox).send(codeEmail(to));

    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: outboxKey(messageId) }));

    expect(Item?.event).toMatchObject({ id: messageId, type: 'email.send' });
    expect(JSON.stringify(Item)).not.toContain('482913');
    expect(JSON.stringify(Item)).not.toContain(to);
  });

  it('sends an event once: a replay of the same record is skipped, a failed send is retried', async () => {
    const to = `${unique('bob')}@acme.example`;
    const event = await outbox.event(codeEmail(to));
    await doc.send(new PutCommand(outboxPut(tableName, event).Put));
    let failures = 1;
    const flaky = {
      send: async (email: Parameters<typeof sesMailer.send>[0]) => {
        if (failures-- > 0) throw new Error('SES throttled');
        return sesMailer.send(email);
      },
    };
    const deliver = makeOutboxMailDelivery({ keyring, mailer: flaky, doc, tableName });

    await expect(deliver(event)).rejects.toThrow('SES throttled');
    const first = await deliver(event);
    const replay = await deliver(event);

    expect([first, replay]).toEqual(['sent', 'already_sent']);
    const received = (await listSentEmails(ses.url)).filter((email) => email.destination.to.includes(to));
    expect(received).toHaveLength(1);
    expect(received[0]?.body.text).toContain('482913');
  });

  it('refuses to open a sealed email under another event id', async () => {
    const event = await outbox.event(codeEmail('carol@acme.example'));
    const deliver = makeOutboxMailDelivery({ keyring, mailer: sesMailer, doc, tableName });

    await expect(deliver({ ...event, id: unique('evt') })).rejects.toThrow();
  });

  it('redrives a dead-lettered email as a fresh item carrying the same event, sent once however often redriven', async () => {
    const to = `${unique('dora')}@acme.example`;
    const event = await outbox.event(codeEmail(to));
    await doc.send(new PutCommand(outboxPut(tableName, event).Put));
    const deliver = makeOutboxMailDelivery({ keyring, mailer: sesMailer, doc, tableName });

    const first = await redriveOutboxItem(
      doc,
      tableName,
      outboxKey(event.id),
      new Date('2026-11-30T01:00:00Z'),
    );
    const second = await redriveOutboxItem(
      doc,
      tableName,
      outboxKey(event.id),
      new Date('2026-11-30T01:05:00Z'),
    );
    const { Items = [] } = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :redrive)',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
        ExpressionAttributeValues: { ':pk': outboxKey(event.id)[TABLE.partitionKey], ':redrive': 'REDRIVE#' },
      }),
    );
    // What the relay does with each INSERT the redrives cause: the same event, so one email.
    const outcomes = [];
    for (const item of Items) outcomes.push(await deliver(item.event));

    expect([first, second]).toEqual([event.id, event.id]);
    expect(Items.map((item) => item[TABLE.sortKey])).toEqual([
      'REDRIVE#2026-11-30T01:00:00.000Z',
      'REDRIVE#2026-11-30T01:05:00.000Z',
    ]);
    expect(Items.map((item) => item.event)).toEqual([event, event]);
    expect(outcomes).toEqual(['sent', 'already_sent']);
    expect((await listSentEmails(ses.url)).filter((email) => email.destination.to.includes(to))).toHaveLength(
      1,
    );
  });

  it('redrives nothing from a key that holds no outbox item', async () => {
    const redriven = await redriveOutboxItem(doc, tableName, outboxKey(unique('evt_missing')));

    expect(redriven).toBeUndefined();
  });
});
