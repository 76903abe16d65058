import { MessageRejected, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CALL_BUDGETS } from '../../../shared/adapters/aws/call-budget';
import { makeSesMailer } from '../../../shared/adapters/ses/mailer';

const ses = mockClient(SESv2Client);
const mailer = makeSesMailer(new SESv2Client({ region: 'eu-west-1' }), {
  from: 'no-reply@latchkey.example',
  budget: CALL_BUDGETS.request,
});

describe('makeSesMailer (SES v2 SendEmail)', () => {
  beforeEach(() => ses.reset());

  it('sends exactly one SendEmail with text and HTML parts and returns its message id', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });

    const result = await mailer.send({
      to: 'bob@acme.example',
      subject: 'Hi',
      text: 'Hello',
      html: '<p>Hello</p>',
    });

    expect(result).toEqual({ messageId: 'm-1' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
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

    await mailer.send({ to: 'bob@acme.example', subject: 'Hi', text: 'Hello' });

    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Content?.Simple?.Body).toEqual({
      Text: { Data: 'Hello', Charset: 'UTF-8' },
    });
  });

  it('passes a deadline signal with every call', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-3' });

    await mailer.send({ to: 'bob@acme.example', subject: 'Hi', text: 'Hello' });

    expect((ses.commandCalls(SendEmailCommand)[0]?.args as unknown[])[1]).toMatchObject({
      abortSignal: expect.any(AbortSignal),
    });
  });

  it("surfaces SES's own error class and code, not a generic failure", async () => {
    ses
      .on(SendEmailCommand)
      .rejects(new MessageRejected({ message: 'Email address is not verified', $metadata: {} }));

    const sent = mailer.send({ to: 'bob@acme.example', subject: 'Code', text: 'Your code is 123456' });

    await expect(sent).rejects.toBeInstanceOf(MessageRejected);
    await expect(sent).rejects.toMatchObject({ name: 'MessageRejected' });
  });
});
