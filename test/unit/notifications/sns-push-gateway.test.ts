import { readFileSync } from 'node:fs';
import {
  CreatePlatformEndpointCommand,
  DeleteEndpointCommand,
  EndpointDisabledException,
  InvalidParameterException,
  NotFoundException,
  PublishCommand,
  SetEndpointAttributesCommand,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildPushMessage, makeSnsPushGateway } from '../../../shared/adapters/sns/push-gateway';

const sns = mockClient(SNSClient);
const APP = 'arn:aws:sns:us-east-1:111122223333:app/APNS/latchkey';
const ENDPOINT = 'arn:aws:sns:us-east-1:111122223333:endpoint/APNS/latchkey/0f1e';
const meta = { $metadata: {} };
const message = {
  type: 'trusted_device_request' as const,
  title: 'New device',
  body: 'A new device wants to use your Latchkey account',
  category: 'TRUSTED_DEVICE_REQUEST',
  data: { deviceId: 'dev_1' },
};

function gateway() {
  return makeSnsPushGateway(new SNSClient({ region: 'us-east-1' }), { APNS: APP });
}

describe('makeSnsPushGateway', () => {
  beforeEach(() => sns.reset());

  it('creates an endpoint under the platform application with the device id as user data', async () => {
    sns.on(CreatePlatformEndpointCommand).resolves({ EndpointArn: ENDPOINT });

    const arn = await gateway().createEndpoint('APNS', 'token-1', 'dev_1');

    expect(arn).toBe(ENDPOINT);
    expect(sns.commandCalls(CreatePlatformEndpointCommand)[0]?.args[0].input).toEqual({
      PlatformApplicationArn: APP,
      Token: 'token-1',
      CustomUserData: 'dev_1',
    });
  });

  it('takes over the endpoint that already exists for the token with other attributes', async () => {
    sns.on(CreatePlatformEndpointCommand).rejects(
      new InvalidParameterException({
        message: `Invalid parameter: Token Reason: Endpoint ${ENDPOINT} already exists with the same Token, but different attributes.`,
        ...meta,
      }),
    );
    sns.on(SetEndpointAttributesCommand).resolves({});

    const arn = await gateway().createEndpoint('APNS', 'token-1', 'dev_2');

    expect(arn).toBe(ENDPOINT);
    expect(sns.commandCalls(SetEndpointAttributesCommand)[0]?.args[0].input).toEqual({
      EndpointArn: ENDPOINT,
      Attributes: { Token: 'token-1', Enabled: 'true', CustomUserData: 'dev_2' },
    });
  });

  it('rethrows other invalid-parameter errors', async () => {
    sns
      .on(CreatePlatformEndpointCommand)
      .rejects(new InvalidParameterException({ message: 'bad token', ...meta }));

    await expect(gateway().createEndpoint('APNS', 'x', 'dev_1')).rejects.toThrow('bad token');
  });

  it('re-enables an endpoint with a new token, and reports a missing one', async () => {
    sns
      .on(SetEndpointAttributesCommand)
      .resolvesOnce({})
      .rejectsOnce(new NotFoundException({ message: 'gone', ...meta }));

    expect(await gateway().updateEndpoint(ENDPOINT, 'token-2')).toBe('updated');
    expect(await gateway().updateEndpoint(ENDPOINT, 'token-3')).toBe('endpoint_missing');
    expect(sns.commandCalls(SetEndpointAttributesCommand)[0]?.args[0].input).toEqual({
      EndpointArn: ENDPOINT,
      Attributes: { Token: 'token-2', Enabled: 'true' },
    });
  });

  it('publishes the JSON message structure to the endpoint', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

    expect(await gateway().publish(ENDPOINT, message)).toBe('sent');
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input).toEqual({
      TargetArn: ENDPOINT,
      MessageStructure: 'json',
      Message: buildPushMessage(message),
    });
  });

  it('reports disabled and missing endpoints as outcomes and throws on throttling', async () => {
    sns
      .on(PublishCommand)
      .rejectsOnce(new EndpointDisabledException({ message: 'Endpoint is disabled', ...meta }))
      .rejectsOnce(new NotFoundException({ message: 'No endpoint', ...meta }))
      .rejectsOnce(new ThrottledException({ message: 'slow down', ...meta }));

    expect(await gateway().publish(ENDPOINT, message)).toBe('endpoint_disabled');
    expect(await gateway().publish(ENDPOINT, message)).toBe('endpoint_missing');
    await expect(gateway().publish(ENDPOINT, message)).rejects.toThrow('slow down');
  });

  it('deletes endpoints idempotently', async () => {
    sns.on(DeleteEndpointCommand).rejects(new NotFoundException({ message: 'gone', ...meta }));

    await expect(gateway().deleteEndpoint(ENDPOINT)).resolves.toBeUndefined();
    expect(sns.commandCalls(DeleteEndpointCommand)[0]?.args[0].input).toEqual({ EndpointArn: ENDPOINT });
  });

  it('knows which platforms have an application', () => {
    expect(gateway().platformConfigured('APNS')).toBe(true);
    expect(gateway().platformConfigured('FCM')).toBe(false);
  });
});

describe('buildPushMessage', () => {
  it('has the shape of the recorded MessageStructure=json fixture, with only ids in the data', () => {
    const fixture = JSON.parse(
      readFileSync('test/fixtures/aws-events/sns-mobile-push.message-structure-json.json', 'utf8'),
    );

    const built = JSON.parse(buildPushMessage(message));

    expect(Object.keys(built)).toEqual(expect.arrayContaining(Object.keys(fixture)));
    expect(typeof built.APNS).toBe('string');
    const apns = JSON.parse(built.APNS);
    const fixtureApns = JSON.parse(fixture.APNS);
    expect(Object.keys(apns.aps)).toEqual(expect.arrayContaining(Object.keys(fixtureApns.aps)));
    expect(apns).toMatchObject({ aps: { alert: { title: 'New device' } }, deviceId: 'dev_1' });
    const gcm = JSON.parse(built.GCM);
    expect(Object.keys(gcm)).toEqual(Object.keys(JSON.parse(fixture.GCM)));
    expect(gcm.fcmV1Message.message.data).toEqual({ type: 'trusted_device_request', deviceId: 'dev_1' });
    expect(built.APNS_SANDBOX).toBe(built.APNS);
  });
});
