import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AWS } from '../../local/dynamodb-local';
import { freePort } from '../../local/ports';
import { listSentEmails, type SesLocal, startSesLocal } from '../../local/ses-local';
import { CALL_BUDGETS, clientOptions } from '../../shared/adapters/aws/call-budget';
import { makeSesMailer } from '../../shared/adapters/ses/mailer';

describe('SES mailer against aws-ses-v2-local', () => {
  let ses: SesLocal;
  let endpoint: string;
  beforeAll(async () => {
    const port = await freePort();
    ses = await startSesLocal(port);
    endpoint = `http://127.0.0.1:${port}`;
  });
  afterAll(() => ses.stop());

  it('delivers an email the emulator shows with its subject, recipient and body', async () => {
    const client = new SESv2Client({
      ...clientOptions(CALL_BUDGETS.request, { region: LOCAL_AWS.region, endpoint }),
      credentials: LOCAL_AWS.credentials,
    });
    const mailer = makeSesMailer(client, { from: 'no-reply@latchkey.local', budget: CALL_BUDGETS.request });

    const { messageId } = await mailer.send({
      to: 'bob@acme.example',
      subject: 'Your code',
      text: 'Code: 123456',
    });

    const emails = await listSentEmails(ses.url);
    const sent = emails.find((email) => email.messageId === messageId);
    expect(sent).toMatchObject({
      from: 'no-reply@latchkey.local',
      subject: 'Your code',
      destination: { to: ['bob@acme.example'] },
      body: { text: 'Code: 123456' },
    });
  });
});
