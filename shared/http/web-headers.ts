/**
 * The web app's security headers, one definition for the local web server and the CloudFront response
 * headers policy. The CSP allows only this origin's own files: no inline script or style, no eval, no
 * framing, no plugins. `connectOrigins` adds the identity provider a sign-in talks to (OIDC discovery and
 * token endpoints); the API is same-origin.
 */
export function contentSecurityPolicy(connectOrigins: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${["'self'", ...connectOrigins].join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

export const HSTS_SECONDS = 2 * 365 * 24 * 60 * 60;

export function webSecurityHeaders(connectOrigins: readonly string[] = []): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(connectOrigins),
    'strict-transport-security': `max-age=${HSTS_SECONDS}; includeSubDomains; preload`,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
    'cross-origin-opener-policy': 'same-origin',
  };
}
