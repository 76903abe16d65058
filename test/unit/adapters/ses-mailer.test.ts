import { describe, expect, it } from 'vitest';
import { AwsRequestError } from '../../../shared/adapters/aws/signed-request';
import { makeSesMailer } from '../../../shared/adapters/ses/mailer';

const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });

function recordingFetch(status = 200, body = '{"MessageId":"m-1"}') {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetchFn = (async (url: URL | string, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return new Response(body, {
      status,
      headers: { 'x-amzn-errortype': status === 200 ? '' : 'MessageRejected' },
    });
  }) as typeof fetch;
  return { calls, fetchFn };
}

describe('makeSesMailer (SES v2 SendEmail over SigV4)', () => {
  it('posts the exact SendEmail body to the regional endpoint, signed for ses', async () => {
    const { calls, fetchFn } = recordingFetch();
    const mailer = makeSesMailer({
      from: 'no-reply@latchkey.example',
      region: 'eu-west-1',
      credentials,
      fetch: fetchFn,
    });

    const result = await mailer.send({
      to: 'bob@acme.example',
      subject: 'Hi',
      text: 'Hello',
      html: '<p>Hello</p>',
    });

    expect(result).toEqual({ messageId: 'm-1' });
    expect(calls).toHaveLength(1);
    const call = calls[0];
    expect(call?.url).toBe('https://email.eu-west-1.amazonaws.com/v2/email/outbound-emails');
    expect(call?.init.method).toBe('POST');
    expect(JSON.parse(String(call?.init.body))).toEqual({
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
    const headers = call?.init.headers as Record<string, string>;
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/ses\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['x-amz-content-sha256'] ?? headers['x-amz-date']).toBeDefined();
  });

  it('omits the HTML part when there is none and honours a custom endpoint', async () => {
    const { calls, fetchFn } = recordingFetch();
    const mailer = makeSesMailer({
      from: 'a@b.example',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:8005',
      credentials,
      fetch: fetchFn,
    });

    await mailer.send({ to: 'bob@acme.example', subject: 'Hi', text: 'Hello' });

    expect(calls[0]?.url).toBe('http://127.0.0.1:8005/v2/email/outbound-emails');
    expect(JSON.parse(String(calls[0]?.init.body)).Content.Simple.Body).toEqual({
      Text: { Data: 'Hello', Charset: 'UTF-8' },
    });
  });

  it('throws an AwsRequestError naming the status and SES error type, without the message content', async () => {
    const { fetchFn } = recordingFetch(400, '{"message":"Email address is not verified"}');
    const mailer = makeSesMailer({ from: 'a@b.example', region: 'us-east-1', credentials, fetch: fetchFn });

    const sent = mailer.send({ to: 'bob@acme.example', subject: 'Code 123456', text: 'Your code is 123456' });

    await expect(sent).rejects.toBeInstanceOf(AwsRequestError);
    await expect(sent).rejects.toThrow(/ses request failed with HTTP 400 \(MessageRejected\)/);
    await expect(sent).rejects.not.toThrow(/123456/);
  });
});
