import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeSesMailer } from '../../../shared/adapters/ses/mailer';

const ses = mockClient(SESv2Client);

describe('makeSesMailer', () => {
  beforeEach(() => ses.reset());

  it('sends a UTF-8 text and HTML email from the configured address', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    const mailer = makeSesMailer(new SESv2Client({ region: 'us-east-1' }), {
      from: 'no-reply@latchkey.example',
    });

    const result = await mailer.send({
      to: 'bob@acme.example',
      subject: 'Hi',
      text: 'Hello',
      html: '<p>Hello</p>',
    });

    expect(result).toEqual({ messageId: 'm-1' });
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input).toEqual({
      FromEmailAddress: 'no-reply@latchkey.example',
      Destination: { ToAddresses: ['bob@acme.example'] },
      Content: {
        Simple: {
          Subject: { Data: 'Hi', Charset: 'UTF-8' },
          Body: {
            Text: { Data: 'Hello', Charset: 'UTF-8' },
            Html: { Data: '<p>Hello</p>', Charset: 'UTF-8' },
          },
        },
      },
    });
  });

  it('omits the HTML part when there is none', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-2' });
    const mailer = makeSesMailer(new SESv2Client({ region: 'us-east-1' }), {
      from: 'no-reply@latchkey.example',
    });

    await mailer.send({ to: 'bob@acme.example', subject: 'Hi', text: 'Hello' });

    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Content?.Simple?.Body).toEqual({
      Text: { Data: 'Hello', Charset: 'UTF-8' },
    });
  });
});
