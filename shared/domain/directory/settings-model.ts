/** The directory settings' shape: no imports, so the route manifest (and the web app) can use it. */

/**
 * How a first sign-in finds the user SCIM provisioned for it: by the token's subject (Entra's `oid`)
 * equal to the SCIM `externalId`, or by an email the issuer asserts as verified.
 */
export const LINK_METHODS = ['verified_email', 'external_id'] as const;
export type LinkMethod = (typeof LINK_METHODS)[number];

/** Who may join a workspace besides the users SCIM (or bootstrap) provisioned. */
export interface DirectorySettings {
  /** Sign-ins from `allowedEmailDomains` with a verified email create a user (role `user`). */
  jitProvisioning: boolean;
  /** Lower-case domains, matched exactly against the part after the email's `@` (no subdomains). */
  allowedEmailDomains: string[];
  linkBy: LinkMethod;
  /**
   * `legacy`: derived once from the users of a workspace created before directory settings existed
   * (just-in-time on, their domains); `bootstrap`: written when the workspace was bootstrapped;
   * `admin`: changed through `PUT /v1/workspace/directory`.
   */
  source: 'legacy' | 'bootstrap' | 'admin';
  updatedAt: string;
  /** The IdP allowed to send Universal Logout (Global Token Revocation) requests, when configured. */
  universalLogout?: UniversalLogoutSettings;
}

/** Whose signed requests may log users out: the IdP's issuer and JWKS, and the `aud` it uses. */
export interface UniversalLogoutSettings {
  issuer: string;
  /** HTTPS (plain HTTP only for a loopback address in the local runtime). */
  jwksUrl: string;
  /** The `aud` the IdP's tokens carry; absent: this workspace's endpoint URL. */
  audience?: string;
}
