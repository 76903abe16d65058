import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { ENV, optionalEnv, requireEnv } from '../../config/env';
import { tracer } from '../../observability';
import type { PhoneNumbers } from '../../ports';
import { simulatedAdapters } from '../simulated';
import { makePinpointPhoneNumbers } from './phone-numbers';

/** Managed phone numbers: End User Messaging in AWS, the 555 simulator locally. */
export function sharedPhoneNumbers(): PhoneNumbers {
  if (simulatedAdapters.phoneNumbers) return simulatedAdapters.phoneNumbers;
  return makePinpointPhoneNumbers(tracer.captureAWSv3Client(new PinpointSMSVoiceV2Client({})), {
    inboundTopicArn: requireEnv(ENV.inboundSmsTopicArn),
    ...(optionalEnv(ENV.smsTwoWayRoleArn)
      ? { twoWayRoleArn: optionalEnv(ENV.smsTwoWayRoleArn) as string }
      : {}),
  });
}
