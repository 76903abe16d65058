/** `true` in local builds (dev sign-in, phone view); `false` in production, where those branches vanish. */
declare const __LOCAL__: boolean;

interface ImportMetaEnv {
  readonly VITE_OIDC_AUTHORITY?: string;
  readonly VITE_OIDC_CLIENT_ID?: string;
}
interface ImportMeta {
  readonly env: ImportMetaEnv;
}
