import { ApiError, createClient } from '../../shared/http/client';

export { ApiError };

/**
 * The IdP token for this tab. sessionStorage: it survives a reload, dies with the tab, and is never
 * sent by the browser on its own. The device credential is not here: it is the HttpOnly cookie the API
 * set at registration, which scripts cannot read.
 */
const TOKEN_KEY = 'latchkey.token';

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** Every call is same-origin (`/v1/*`), with the CSRF header that lets the API accept the device cookie. */
function clientWith(extra: () => Record<string, string>) {
  return createClient({
    baseUrl: '',
    headers: () => {
      const token = session.token();
      return {
        'x-latchkey-csrf': '1',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...extra(),
      };
    },
  });
}

export const api = clientWith(() => ({}));

/** The phone view's client: a `mobile` device, whose credential travels in the header (local only). */
export function deviceClient(credential: () => string | null) {
  return clientWith((): Record<string, string> => {
    const value = credential();
    return value ? { 'x-latchkey-device': value } : {};
  });
}

/** A readable sentence for any failure: the API's `message`, else a generic line. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return `Something went wrong: ${error.message}`;
  return 'Something went wrong.';
}

/** The API's failure as shown to admins: its sentence plus the stable `error` code, for a support ticket. */
export function describeErrorWithCode(error: unknown): { text: string; code?: string } {
  if (error instanceof ApiError) return { text: error.message, code: error.code };
  return { text: describeError(error) };
}

export function isApiError(error: unknown, code: string): error is ApiError {
  return error instanceof ApiError && error.code === code;
}
