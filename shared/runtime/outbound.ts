import { checkWebhookUrl } from '../adapters/connectors/address-policy';
import { ENV, optionalEnv } from '../config/env';

/**
 * The local runtime's one SSRF allowance for customer-configured outbound URLs (webhooks, the
 * Universal Logout JWKS): plain HTTP to exactly this loopback origin. Unset in AWS.
 */
export function localOutboundOrigin(): string | undefined {
  return optionalEnv(ENV.webhookLocalOrigin);
}

/** The configuration-time check of an outbound URL: the refusal's reason, or undefined. */
export function outboundUrlCheck(): (url: string) => string | undefined {
  const localOrigin = localOutboundOrigin();
  return (url) => {
    const checked = checkWebhookUrl(url, localOrigin);
    return checked.ok ? undefined : checked.reason;
  };
}
