import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { ENV, optionalEnv, requireEnv } from '../../config/env';
import type { PhoneNumbers } from '../../domain/ports';
import { tracer } from '../../observability';
import { makePinpointPhoneNumbers } from './phone-numbers';

/** Managed phone numbers through End User Messaging (the local runtime passes its 555 simulator instead). */
export function sharedPhoneNumbers(): PhoneNumbers {
  return makePinpointPhoneNumbers(tracer.captureAWSv3Client(new PinpointSMSVoiceV2Client({})), {
    inboundTopicArn: requireEnv(ENV.inboundSmsTopicArn),
    ...(optionalEnv(ENV.smsTwoWayRoleArn)
      ? { twoWayRoleArn: optionalEnv(ENV.smsTwoWayRoleArn) as string }
      : {}),
  });
}
