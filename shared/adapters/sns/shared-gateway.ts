import { SNSClient } from '@aws-sdk/client-sns';
import { ENV, optionalEnv } from '../../config/env';
import { tracer } from '../../observability';
import type { PushGateway } from '../../ports';
import { simulatedAdapters } from '../simulated';
import { makeSnsPushGateway } from './push-gateway';

let shared: PushGateway | undefined;

/** SNS mobile push for this container (or the local simulator), with the configured platform apps. */
export function sharedPushGateway(): PushGateway {
  if (simulatedAdapters.pushGateway) return simulatedAdapters.pushGateway;
  shared ??= makeSnsPushGateway(tracer.captureAWSv3Client(new SNSClient({})), {
    ...(optionalEnv(ENV.apnsPlatformArn) ? { APNS: optionalEnv(ENV.apnsPlatformArn) } : {}),
    ...(optionalEnv(ENV.apnsSandboxPlatformArn)
      ? { APNS_SANDBOX: optionalEnv(ENV.apnsSandboxPlatformArn) }
      : {}),
    ...(optionalEnv(ENV.fcmPlatformArn) ? { FCM: optionalEnv(ENV.fcmPlatformArn) } : {}),
  });
  return shared;
}
