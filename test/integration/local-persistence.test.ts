import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_AWS } from '../../local/dynamodb-local';
import { freePort } from '../../local/ports';
import { createPushSimulator } from '../../local/push-simulator';
import { listSentEmails, startSesLocal } from '../../local/ses-local';
import { CALL_BUDGETS, clientOptions } from '../../shared/adapters/aws/call-budget';
import { makeSesMailer } from '../../shared/adapters/ses/mailer';

const dir = mkdtempSync(join(tmpdir(), 'latchkey-persist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('local stack persistence in the data directory', () => {
  it('keeps the SES mail store across a restart', async () => {
    const file = join(dir, 'ses-mail.json');
    const port = await freePort();
    const first = await startSesLocal(port, { file });
    const endpoint = `http://127.0.0.1:${port}`;
    const mailer = makeSesMailer(
      new SESv2Client({
        ...clientOptions(CALL_BUDGETS.request, { region: LOCAL_AWS.region, endpoint }),
        credentials: LOCAL_AWS.credentials,
      }),
      { from: 'no-reply@latchkey.local', budget: CALL_BUDGETS.request },
    );
    const { messageId } = await mailer.send({
      to: 'bob@acme.example',
      subject: 'Kept',
      text: 'after restart',
    });
    await first.stop();

    const second = await startSesLocal(port, { file });
    const emails = await listSentEmails(second.url);
    await second.stop();

    expect(emails.filter((email) => email.messageId === messageId)).toEqual([
      expect.objectContaining({ subject: 'Kept', body: expect.objectContaining({ text: 'after restart' }) }),
    ]);
  });

  it('keeps push endpoints and the push outbox across a restart', async () => {
    const file = join(dir, 'push.json');
    const first = createPushSimulator({ file });
    const arn = await first.gateway.createEndpoint('APNS', 'token-1', 'dev_1');
    await first.gateway.publish(arn, {
      type: 'trusted_device_request',
      title: 't',
      body: 'b',
      category: 'TRUSTED_DEVICE_REQUEST',
      data: {},
    });

    const second = createPushSimulator({ file });

    expect(await second.gateway.createEndpoint('APNS', 'token-1', 'dev_1')).toBe(arn);
    expect(second.outbox).toEqual([
      expect.objectContaining({ endpointArn: arn, deviceId: 'dev_1', body: 'b' }),
    ]);
  });
});
