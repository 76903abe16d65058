import {
  type PinpointSMSVoiceV2Client,
  ReleasePhoneNumberCommand,
  RequestPhoneNumberCommand,
  ResourceNotFoundException,
  UpdatePhoneNumberCommand,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { PhoneNumbers } from '../../domain/ports';

export interface PhoneNumbersConfig {
  /** The SNS topic two-way messages are published to (the inbound SMS pipeline). */
  inboundTopicArn: string;
  /** The IAM role End User Messaging assumes to publish there. */
  twoWayRoleArn?: string;
}

/**
 * US numbers that receive SMS, with two-way messaging to the inbound topic. `voip` maps to a 10DLC
 * long code, `non_voip` to a toll-free number, which apps refusing VoIP numbers accept.
 */
export function makePinpointPhoneNumbers(
  client: PinpointSMSVoiceV2Client,
  config: PhoneNumbersConfig,
): PhoneNumbers {
  return {
    async request(type, accountId) {
      const out = await client.send(
        new RequestPhoneNumberCommand({
          IsoCountryCode: 'US',
          MessageType: 'TRANSACTIONAL',
          NumberCapabilities: ['SMS'],
          NumberType: type === 'voip' ? 'TEN_DLC' : 'TOLL_FREE',
          DeletionProtectionEnabled: false,
          Tags: [{ Key: 'latchkey:account', Value: accountId }],
        }),
      );
      if (!out.PhoneNumber || !out.PhoneNumberId) throw new Error('End User Messaging returned no number');
      // Two-way messaging is a property of the number: point it at the inbound topic right away.
      await client.send(
        new UpdatePhoneNumberCommand({
          PhoneNumberId: out.PhoneNumberId,
          TwoWayEnabled: true,
          TwoWayChannelArn: config.inboundTopicArn,
          ...(config.twoWayRoleArn ? { TwoWayChannelRole: config.twoWayRoleArn } : {}),
        }),
      );
      return { phoneNumber: out.PhoneNumber, phoneNumberId: out.PhoneNumberId };
    },
    async release(phoneNumberId) {
      try {
        await client.send(new ReleasePhoneNumberCommand({ PhoneNumberId: phoneNumberId }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    },
  };
}
