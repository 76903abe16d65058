import ipaddr from 'ipaddr.js';

/**
 * Which addresses a webhook may reach. An allow-list, not a deny-list: only what ipaddr.js classifies
 * as global `unicast` passes. That refuses private (RFC 1918), loopback, link-local (169.254.0.0/16,
 * the EC2/ECS metadata address 169.254.169.254 included), unique-local (fc00::/7, the EC2 IPv6
 * metadata address fd00:ec2::254 included), CGNAT (100.64.0.0/10), multicast, broadcast, unspecified,
 * documentation/benchmark/reserved ranges, and the IPv6 forms that embed an IPv4 address (6to4,
 * Teredo, NAT64) whose inner address could be any of those. IPv4-mapped IPv6 (::ffff:10.0.0.1) is
 * judged as the IPv4 address it carries.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  return parsed.range() === 'unicast';
}

/** The range name ipaddr.js gives an address (`private`, `loopback`...), for a safe error detail. */
export function rangeOf(address: string): string {
  return ipaddr.isValid(address) ? ipaddr.process(address).range() : 'invalid';
}

export type WebhookUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * What can be decided about a webhook URL without DNS (at configuration time and again before each
 * call): HTTPS, no credentials in the URL, no fragment, and a host that is not an IP literal of a
 * refused range. `localOrigin` is the local runtime's explicit allowance (e.g. `http://127.0.0.1:8787`):
 * a URL on exactly that origin may be plain HTTP on loopback. It is never set in AWS.
 */
export function checkWebhookUrl(raw: string, localOrigin?: string): WebhookUrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (url.username || url.password) return { ok: false, reason: 'credentials in the URL' };
  if (url.hash) return { ok: false, reason: 'a fragment in the URL' };
  if (localOrigin && url.origin === localOrigin) return { ok: true, url };
  if (url.protocol !== 'https:') return { ok: false, reason: 'not HTTPS' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host) && !isPublicAddress(host)) {
    return { ok: false, reason: `an address in a refused range (${rangeOf(host)})` };
  }
  if (!host.includes('.') && !ipaddr.isValid(host)) return { ok: false, reason: 'not a public host name' };
  if (/\.(localhost|local|internal)$/i.test(host) || host.toLowerCase() === 'localhost') {
    return { ok: false, reason: 'not a public host name' };
  }
  return { ok: true, url };
}
