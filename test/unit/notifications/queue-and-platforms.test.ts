import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreatePlatformApplicationCommand,
  DeletePlatformApplicationCommand,
  NotFoundException,
  SetPlatformApplicationAttributesCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { makePlatformApplications } from '../../../shared/adapters/sns/platform-applications';
import { parsePushJob } from '../../../shared/adapters/sqs/push-jobs';
import { makeSqsPushQueue } from '../../../shared/adapters/sqs/push-queue';
import type { PushJob } from '../../../shared/ports';

const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/111122223333/latchkey-push';
const job: PushJob = { kind: 'delete_endpoints', userId: 'usr_1', endpointArns: ['arn:1'] };

describe('makeSqsPushQueue (SendMessageBatch, AWS JSON protocol)', () => {
  it('sends the jobs as one batch to the queue with the SQS target header', async () => {
    const calls: RequestInit[] = [];
    const urls: string[] = [];
    const queue = makeSqsPushQueue({
      queueUrl: QUEUE,
      region: 'eu-west-1',
      credentials,
      fetch: (async (url: URL | string, init?: RequestInit) => {
        urls.push(String(url));
        calls.push(init ?? {});
        return new Response('{"Successful":[{"Id":"0"},{"Id":"1"}]}', { status: 200 });
      }) as typeof fetch,
    });

    await queue.enqueue([job, { ...job, userId: 'usr_2' }]);

    expect(urls).toEqual(['https://sqs.eu-west-1.amazonaws.com/']);
    const headers = calls[0]?.headers as Record<string, string>;
    expect(headers['x-amz-target']).toBe('AmazonSQS.SendMessageBatch');
    expect(headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(headers.authorization).toMatch(/\/eu-west-1\/sqs\/aws4_request/);
    expect(JSON.parse(String(calls[0]?.body))).toEqual({
      QueueUrl: QUEUE,
      Entries: [
        { Id: '0', MessageBody: JSON.stringify(job) },
        { Id: '1', MessageBody: JSON.stringify({ ...job, userId: 'usr_2' }) },
      ],
    });
  });

  it('retries failed entries once, then fails', async () => {
    let call = 0;
    const bodies: unknown[] = [];
    const queue = makeSqsPushQueue({
      queueUrl: QUEUE,
      region: 'eu-west-1',
      credentials,
      fetch: (async (_url: URL | string, init?: RequestInit) => {
        call++;
        bodies.push(JSON.parse(String(init?.body)));
        return new Response(JSON.stringify({ Failed: [{ Id: '1', Code: 'InternalError' }] }), {
          status: 200,
        });
      }) as typeof fetch,
    });

    await expect(queue.enqueue([job, job])).rejects.toThrow(/refused 1/);
    expect(call).toBe(2);
    expect((bodies[1] as { Entries: unknown[] }).Entries).toHaveLength(1);
  });
});

describe('parsePushJob', () => {
  it('accepts the jobs the queue carries and refuses anything else', () => {
    expect(parsePushJob(JSON.stringify(job))).toEqual(job);
    expect(parsePushJob('{"kind":"deliver"}')).toBeUndefined();
    expect(parsePushJob('not json')).toBeUndefined();
  });
});

describe('makePlatformApplications', () => {
  const sns = mockClient(SNSClient);
  const secrets = mockClient(SecretsManagerClient);
  const apps = () =>
    makePlatformApplications(
      new SNSClient({ region: 'us-east-1' }),
      new SecretsManagerClient({ region: 'us-east-1' }),
    );
  beforeEach(() => {
    sns.reset();
    secrets.reset();
  });

  it('creates an APNs application from the secret, token auth', async () => {
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({
        signingKey: 'KEY',
        keyId: 'K1',
        teamId: 'T1',
        bundleId: 'com.example.app',
      }),
    });
    sns.on(CreatePlatformApplicationCommand).resolves({ PlatformApplicationArn: 'arn:app' });

    const arn = await apps().create({ name: 'latchkey-APNS', platform: 'APNS', secretArn: 'arn:secret' });

    expect(arn).toBe('arn:app');
    expect(secrets.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: 'arn:secret' });
    expect(sns.commandCalls(CreatePlatformApplicationCommand)[0]?.args[0].input).toEqual({
      Name: 'latchkey-APNS',
      Platform: 'APNS',
      Attributes: {
        PlatformCredential: 'KEY',
        PlatformPrincipal: 'K1',
        ApplePlatformTeamID: 'T1',
        ApplePlatformBundleID: 'com.example.app',
      },
    });
  });

  it('updates an FCM application and deletes idempotently', async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ serviceAccountJson: '{"a":1}' }) });
    sns.on(SetPlatformApplicationAttributesCommand).resolves({});
    sns
      .on(DeletePlatformApplicationCommand)
      .rejects(new NotFoundException({ message: 'gone', $metadata: {} }));

    await apps().update('arn:app', { name: 'n', platform: 'GCM', secretArn: 'arn:secret' });
    await apps().remove('arn:app');

    expect(sns.commandCalls(SetPlatformApplicationAttributesCommand)[0]?.args[0].input).toEqual({
      PlatformApplicationArn: 'arn:app',
      Attributes: { PlatformCredential: '{"a":1}' },
    });
  });

  it('names the missing field of an incomplete secret, never its values', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ signingKey: 'TOPSECRET' }) });

    const created = apps().create({ name: 'n', platform: 'APNS', secretArn: 'arn:secret' });

    await expect(created).rejects.toThrow(/lacks "keyId"/);
    await expect(created).rejects.not.toThrow(/TOPSECRET/);
  });
});
