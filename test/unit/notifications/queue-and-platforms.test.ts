import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreatePlatformApplicationCommand,
  DeletePlatformApplicationCommand,
  NotFoundException,
  SetPlatformApplicationAttributesCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CALL_BUDGETS } from '../../../shared/adapters/aws/call-budget';
import { makePlatformApplications } from '../../../shared/adapters/sns/platform-applications';
import { parsePushJob } from '../../../shared/adapters/sqs/push-jobs';
import { makeSqsPushQueue } from '../../../shared/adapters/sqs/push-queue';
import type { PushJob } from '../../../shared/domain/ports';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/111122223333/latchkey-push';
const job: PushJob = { kind: 'delete_endpoints', userId: 'usr_1', endpointArns: ['arn:1'] };

describe('makeSqsPushQueue (SendMessageBatch)', () => {
  const sqs = mockClient(SQSClient);
  const queue = makeSqsPushQueue(new SQSClient({ region: 'eu-west-1' }), {
    queueUrl: QUEUE,
    budget: CALL_BUDGETS.request,
  });
  beforeEach(() => sqs.reset());

  it('sends the jobs as one batch to the queue', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });

    await queue.enqueue([job, { ...job, userId: 'usr_2' }]);

    expect(sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input)).toEqual([
      {
        QueueUrl: QUEUE,
        Entries: [
          { Id: '0', MessageBody: JSON.stringify(job) },
          { Id: '1', MessageBody: JSON.stringify({ ...job, userId: 'usr_2' }) },
        ],
      },
    ]);
  });

  it('sends refused entries once more, then fails naming how many', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [], Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] });

    await expect(queue.enqueue([job, job])).rejects.toThrow(/refused 1/);
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.Entries).toEqual([{ Id: '1', MessageBody: JSON.stringify(job) }]);
  });
});

describe('parsePushJob', () => {
  it('accepts the jobs the queue carries and refuses anything else', () => {
    expect(parsePushJob(JSON.stringify(job))).toEqual(job);
    const group: PushJob = {
      kind: 'deliver',
      notificationId: 'ntf_1',
      userId: 'usr_1',
      recipients: ['usr_1', 'usr_2'],
      type: 'account_shared',
      title: 't',
      body: 'b',
      data: { accountId: 'acc_1' },
    };
    expect(parsePushJob(JSON.stringify(group))).toEqual(group);
    expect(parsePushJob(JSON.stringify({ ...group, recipients: 'usr_1' }))).toBeUndefined();
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
