import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HttpError } from './errors';

type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
type HttpResult = APIGatewayProxyStructuredResultV2;

/**
 * The browser's device credential lives in a cookie scripts cannot read (HttpOnly), that only this
 * origin over HTTPS receives (`__Host-`, Secure, Path=/) and that no other site's request carries
 * (SameSite=Strict). A cookie is sent automatically, so a request that relies on it must also carry
 * `X-Latchkey-Csrf`: a custom header no cross-site form or image can set, and one a cross-origin script
 * cannot send without a CORS preflight the API never answers. Non-browser clients keep the
 * `X-Latchkey-Device` header, which wins when both are present. Browsers treat http://localhost as a
 * secure context, so the same `__Host-` cookie works on the local stack (see docs/web.md).
 */
export const DEVICE_COOKIE = '__Host-latchkey-device';
export const CSRF_HEADER = 'x-latchkey-csrf';
/** The header a device credential travels in (lower-case, as API Gateway hands headers over). */
export const DEVICE_HEADER = 'x-latchkey-device';
/** Browsers cap cookie lifetime at 400 days; the device itself stays until disabled. */
const COOKIE_MAX_AGE_SECONDS = 400 * 24 * 60 * 60;

export const csrfHeaderRequired = () =>
  new HttpError(
    403,
    'csrf_header_required',
    'A request authenticated by the device cookie must carry the X-Latchkey-Csrf header.',
  );

function cookieValue(event: HttpEvent, name: string): string | undefined {
  // API Gateway's payload v2 lists cookies apart from the headers, one `name=value` per entry.
  for (const entry of event.cookies ?? []) {
    const at = entry.indexOf('=');
    if (at > 0 && entry.slice(0, at).trim() === name) return entry.slice(at + 1).trim() || undefined;
  }
  return undefined;
}

/** The caller's device credential: the header, else the cookie with its CSRF header (403 without). */
export function deviceCredential(event: HttpEvent): string | undefined {
  const header = event.headers?.[DEVICE_HEADER];
  if (header) return header;
  const cookie = cookieValue(event, DEVICE_COOKIE);
  if (cookie === undefined) return undefined;
  if (!event.headers?.[CSRF_HEADER]) throw csrfHeaderRequired();
  return cookie;
}

export function deviceCookie(credential: string): string {
  return `${DEVICE_COOKIE}=${credential}; Path=/; Max-Age=${COOKIE_MAX_AGE_SECONDS}; HttpOnly; Secure; SameSite=Strict`;
}

/**
 * On a web client's registration: sets the cookie. A browser that asked with `X-Latchkey-Csrf` (it
 * will use the cookie) gets no credential in the body, so no script ever holds it.
 */
export function deviceCookieOnRegistration(): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    after: (request) => {
      const response = request.response;
      if (request.event.routeKey !== 'POST /v1/devices' || response?.statusCode !== 201) return;
      const body = JSON.parse(String(response.body)) as {
        credential?: string;
        device?: { clientType?: string };
      };
      if (body.device?.clientType !== 'web' || !body.credential) return;
      response.cookies = [...(response.cookies ?? []), deviceCookie(body.credential)];
      if (request.event.headers?.[CSRF_HEADER]) {
        const { credential: _kept, ...rest } = body;
        response.body = JSON.stringify(rest);
      }
    },
  };
}
