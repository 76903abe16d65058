import { isIP } from 'node:net';

/** Login grants: credentials sealed to one device's key, for one automated login. Seconds unless named. */
export const LOGIN_RULES = {
  /** A grant's JWE must be used within this long; its record then only serves the code poll and audit. */
  grantLifetimeSeconds: 60,
  /** How long after a grant its code poll still waits for a code (apps send codes late). */
  codeWindowSeconds: 5 * 60,
  grantsPerUserPerHour: 30,
  grantsPerAccountPerHour: 120,
  /** A network not used for a grant this long is unrecognised again. */
  networkMemoryDays: 90,
  /** How long a grant's record (who, device, IP, time) stays for audit and "not me" answers. */
  recordRetentionDays: 90,
} as const;

export type LoginRules = { [K in keyof typeof LOGIN_RULES]: number };

export interface LoginGrant {
  id: string;
  accountId: string;
  workspaceId: string;
  userId: string;
  deviceId: string;
  /** The device key's thumbprint the grant was sealed to; codes for the grant go to the same key. */
  keyThumbprint: string;
  ip: string;
  /** The IPv4 /24 or IPv6 /48 the grant came from. */
  network: string;
  issuedAt: string;
  /** End of the 60 s the grant lives. */
  validUntil: string;
  /** End of the window in which the code poll may still hand out a code. */
  codeUntil: string;
  /** Set when the network was not one the user used in the last 90 days. */
  unrecognized?: boolean;
  /** Set once the user answered "not me" for this grant. */
  reportedAt?: string;
}

/**
 * Whether an inbox message came from the sender a client names: case-insensitive, and an email
 * sender's address alone matches its `Name <address>` form.
 */
export function sameSender(messageFrom: string, wanted: string): boolean {
  const address = (value: string) => (/<([^>]+)>/.exec(value)?.[1] ?? value).trim().toLowerCase();
  return address(messageFrom) === address(wanted);
}

/**
 * The network an address belongs to: its IPv4 /24 or IPv6 /48, the granularity at which a home,
 * office or mobile carrier usually keeps handing out addresses. IPv4-mapped IPv6 counts as IPv4.
 * Anything unparseable is its own network (never silently "known").
 */
export function networkOf(ip: string): string {
  const address = ip.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  const family = isIP(address);
  if (family === 4) return `${address.split('.').slice(0, 3).join('.')}.0/24`;
  if (family === 6) return `${expandIpv6(address).slice(0, 3).join(':')}::/48`;
  return `unknown:${address.slice(0, 64)}`;
}

/** The eight 16-bit groups of an IPv6 address, lower-case without leading zeros. */
function expandIpv6(address: string): string[] {
  // The WHATWG URL parser canonicalises IPv6 (lower case, an IPv4 tail as two hex groups, one `::`).
  const canonical = new URL(`http://[${address.split('%')[0]}]`).hostname.slice(1, -1);
  const [head = '', tail] = canonical.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right];
}
