import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { ENV, optionalEnv, requireEnv } from '../../config/env';
import type { Mailer, OutgoingEmail } from '../../ports';
import { makeSignedJsonClient } from '../aws/signed-request';

export interface MailerConfig {
  from: string;
  region: string;
  /** Defaults to SES's regional endpoint; locally, aws-ses-v2-local. */
  endpoint?: string;
  credentials?: AwsCredentialIdentityProvider;
  fetch?: typeof fetch;
}

/**
 * SES v2 `SendEmail` as one signed request (the SDK's SES client would add about 80 KB to every bundle
 * that sends mail). Integration tests run it against aws-ses-v2-local.
 */
export function makeSesMailer(config: MailerConfig): Mailer {
  const request = makeSignedJsonClient({
    service: 'ses',
    region: config.region,
    endpoint: config.endpoint ?? `https://email.${config.region}.amazonaws.com`,
    ...(config.credentials ? { credentials: config.credentials } : {}),
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });
  return {
    async send(email: OutgoingEmail) {
      const output = await request<{ MessageId?: string }>('/v2/email/outbound-emails', {
        FromEmailAddress: config.from,
        Destination: { ToAddresses: [email.to] },
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: email.text, Charset: 'UTF-8' },
              ...(email.html ? { Html: { Data: email.html, Charset: 'UTF-8' } } : {}),
            },
          },
        },
      });
      return { messageId: output.MessageId ?? '' };
    },
  };
}

let shared: Mailer | undefined;

export function sharedMailer(): Mailer {
  if (!shared) {
    const endpoint = optionalEnv(ENV.sesEndpoint);
    shared = makeSesMailer({
      from: requireEnv(ENV.emailFrom),
      region: process.env.AWS_REGION ?? 'us-east-1',
      ...(endpoint ? { endpoint } : {}),
    });
  }
  return shared;
}
