import type { Account, Capabilities } from '../accounts/model';

/** What an app of the catalogue supports; the rotation and MFA flags need a connector. */
export interface AppCapabilities extends Capabilities {
  passwordRotation: boolean;
  mfaEnrollment: boolean;
}

/** The app's own password rules: every generated password satisfies them. */
export interface PasswordRules {
  minLength: number;
  maxLength: number;
  /** Character classes the app demands at least one of. */
  requires: Array<'lowercase' | 'uppercase' | 'digits' | 'symbols'>;
  /** Symbols the app accepts (others are never generated). */
  symbols: string;
}

export interface CatalogueApp {
  id: string;
  name: string;
  loginUrl: string;
  capabilities: AppCapabilities;
  passwordRules: PasswordRules;
  /** The connector that drives this app, when it has one. */
  connector?: 'demo';
}

const COMMON_SYMBOLS = '!#$%&*+-=?@^_~';

/**
 * The catalogue of supported apps. `demo` is the stand-in third-party service the local runtime serves
 * under `/_local/apps/demo`; the others are listed for their capabilities and rules (no connector yet).
 */
export const APP_CATALOGUE: readonly CatalogueApp[] = [
  {
    id: 'demo',
    name: 'Demo app',
    loginUrl: 'http://localhost/_local/apps/demo/login',
    capabilities: {
      managedPhone: true,
      acceptsVoip: true,
      managedEmail: true,
      passwordRotation: true,
      mfaEnrollment: true,
    },
    passwordRules: {
      minLength: 12,
      maxLength: 64,
      requires: ['lowercase', 'uppercase', 'digits'],
      symbols: COMMON_SYMBOLS,
    },
    connector: 'demo',
  },
  {
    id: 'acme-ads',
    name: 'Acme Ads',
    loginUrl: 'https://ads.acme.example/login',
    capabilities: {
      managedPhone: true,
      acceptsVoip: false,
      managedEmail: true,
      passwordRotation: false,
      mfaEnrollment: false,
    },
    passwordRules: { minLength: 10, maxLength: 32, requires: ['lowercase', 'digits'], symbols: '!@#$' },
  },
  {
    id: 'vendor-portal',
    name: 'Vendor Portal',
    loginUrl: 'https://portal.vendor.example/signin',
    capabilities: {
      managedPhone: false,
      acceptsVoip: false,
      managedEmail: true,
      passwordRotation: false,
      mfaEnrollment: false,
    },
    passwordRules: { minLength: 8, maxLength: 128, requires: [], symbols: COMMON_SYMBOLS },
  },
];

export function findApp(appId: string | undefined): CatalogueApp | undefined {
  return appId === undefined ? undefined : APP_CATALOGUE.find((app) => app.id === appId);
}

/** The demo app's base URL is the local gateway's: the catalogue entry follows the configured one. */
export function withDemoBaseUrl(app: CatalogueApp, demoBaseUrl: string | undefined): CatalogueApp {
  return app.id === 'demo' && demoBaseUrl ? { ...app, loginUrl: `${demoBaseUrl}/login` } : app;
}

/**
 * Precedence: an account that names a catalogue app gets the catalogue's capabilities (they describe
 * what the app and its connector really do); an account without `appId` (every account created before
 * the catalogue) keeps what its owner recorded, with rotation and MFA enrolment off (no connector).
 */
export function effectiveCapabilities(account: Pick<Account, 'capabilities' | 'appId'>): AppCapabilities {
  const app = findApp(account.appId);
  if (app) return app.capabilities;
  return { ...account.capabilities, passwordRotation: false, mfaEnrollment: false };
}
