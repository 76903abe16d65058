import {
  CreatePlatformEndpointCommand,
  DeleteEndpointCommand,
  PublishCommand,
  SetEndpointAttributesCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import type { PushPlatform } from '../../domain/devices/model';
import type { PublishOutcome, PushGateway, PushMessage } from '../../domain/ports';

/** `MessageStructure: "json"`: a default text plus one JSON string per platform (APNs, FCM v1). */
export function buildPushMessage(message: PushMessage): string {
  const apns = JSON.stringify({
    aps: {
      alert: { title: message.title, body: message.body },
      category: message.category,
      sound: 'default',
    },
    type: message.type,
    ...message.data,
  });
  return JSON.stringify({
    default: message.body,
    APNS: apns,
    APNS_SANDBOX: apns,
    GCM: JSON.stringify({
      fcmV1Message: {
        message: {
          notification: { title: message.title, body: message.body },
          data: { type: message.type, ...message.data },
          android: { priority: 'high' },
        },
      },
    }),
  });
}

/** "Endpoint arn:... already exists with the same Token, but different attributes." */
const EXISTING_ENDPOINT = /Endpoint (arn:aws[\w-]*:sns:[^ ]+) already exists/;

const named = (error: unknown, ...names: string[]) => error instanceof Error && names.includes(error.name);

export function makeSnsPushGateway(
  client: SNSClient,
  platformApplications: Partial<Record<PushPlatform, string>>,
): PushGateway {
  async function updateEndpoint(endpointArn: string, token: string) {
    try {
      await client.send(
        new SetEndpointAttributesCommand({
          EndpointArn: endpointArn,
          Attributes: { Token: token, Enabled: 'true' },
        }),
      );
      return 'updated' as const;
    } catch (error) {
      if (named(error, 'NotFoundException')) return 'endpoint_missing' as const;
      throw error;
    }
  }

  return {
    platformConfigured: (platform) => Boolean(platformApplications[platform]),

    async createEndpoint(platform, token, deviceId) {
      const application = platformApplications[platform];
      if (!application) throw new Error(`no platform application for ${platform}`);
      try {
        const { EndpointArn } = await client.send(
          new CreatePlatformEndpointCommand({
            PlatformApplicationArn: application,
            Token: token,
            CustomUserData: deviceId,
          }),
        );
        if (!EndpointArn) throw new Error('SNS returned no endpoint ARN');
        return EndpointArn;
      } catch (error) {
        // The token already has an endpoint with other attributes (another device id, or disabled):
        // take that endpoint over instead of failing, so the token keeps exactly one endpoint.
        const existing = named(error, 'InvalidParameterException')
          ? EXISTING_ENDPOINT.exec((error as Error).message)?.[1]
          : undefined;
        if (!existing) throw error;
        await client.send(
          new SetEndpointAttributesCommand({
            EndpointArn: existing,
            Attributes: { Token: token, Enabled: 'true', CustomUserData: deviceId },
          }),
        );
        return existing;
      }
    },

    updateEndpoint,

    async deleteEndpoint(endpointArn) {
      try {
        await client.send(new DeleteEndpointCommand({ EndpointArn: endpointArn }));
      } catch (error) {
        if (!named(error, 'NotFoundException')) throw error;
      }
    },

    async publish(endpointArn, message): Promise<PublishOutcome> {
      try {
        await client.send(
          new PublishCommand({
            TargetArn: endpointArn,
            MessageStructure: 'json',
            Message: buildPushMessage(message),
          }),
        );
        return 'sent';
      } catch (error) {
        if (named(error, 'EndpointDisabledException', 'EndpointDisabled')) return 'endpoint_disabled';
        if (named(error, 'NotFoundException')) return 'endpoint_missing';
        throw error;
      }
    },
  };
}
