import { SNSClient } from '@aws-sdk/client-sns';
import { ENV, optionalEnv } from '../../config/env';
import type { PushGateway } from '../../domain/ports';
import { tracer } from '../../observability';
import { makeSnsPushGateway } from './push-gateway';

let shared: PushGateway | undefined;

/** SNS mobile push for this container, with the configured platform apps (the local runtime passes its simulator instead). */
export function sharedPushGateway(): PushGateway {
  shared ??= makeSnsPushGateway(tracer.captureAWSv3Client(new SNSClient({})), {
    ...(optionalEnv(ENV.apnsPlatformArn) ? { APNS: optionalEnv(ENV.apnsPlatformArn) } : {}),
    ...(optionalEnv(ENV.apnsSandboxPlatformArn)
      ? { APNS_SANDBOX: optionalEnv(ENV.apnsSandboxPlatformArn) }
      : {}),
    ...(optionalEnv(ENV.fcmPlatformArn) ? { FCM: optionalEnv(ENV.fcmPlatformArn) } : {}),
  });
  return shared;
}
