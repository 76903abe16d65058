import { session } from './api';

/**
 * Production sign-in: OpenID Connect authorization code with PKCE against the Cognito hosted UI or the
 * customer's own IdP, as a public client (no secret in the browser). The issuer and client id come
 * from `/config.json`, which the CDK app writes next to the assets, so one build serves any stack.
 * oauth4webapi does the protocol (discovery, PKCE, state, token response checks); it loads only when
 * someone signs in, so it stays out of the initial bundle.
 */
interface WebConfig {
  issuer: string;
  clientId: string;
}

const PENDING_KEY = 'latchkey.oidc';
export const CALLBACK_PATH = '/callback';

async function setup() {
  const oauth = await import('oauth4webapi');
  const config = (await (await fetch('/config.json')).json()) as WebConfig;
  const issuer = new URL(config.issuer);
  const server = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer));
  return {
    oauth,
    server,
    client: { client_id: config.clientId },
    redirectUri: `${location.origin}${CALLBACK_PATH}`,
  };
}

export async function startOidcSignIn(): Promise<void> {
  const { oauth, server, client, redirectUri } = await setup();
  if (!server.authorization_endpoint) throw new Error('The identity provider has no authorization endpoint.');
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state }));
  const url = new URL(server.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid email profile',
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  }).toString();
  location.assign(url);
}

/** On `/callback`: checks the state, redeems the code with the verifier, keeps the ID token. */
export async function finishOidcSignIn(): Promise<void> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null') as {
    verifier: string;
    state: string;
  } | null;
  sessionStorage.removeItem(PENDING_KEY);
  if (!pending) throw new Error('This sign-in was not started here. Start again.');
  const { oauth, server, client, redirectUri } = await setup();
  const params = oauth.validateAuthResponse(server, client, new URL(location.href), pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    server,
    client,
    oauth.None(),
    params,
    redirectUri,
    pending.verifier,
  );
  const result = await oauth.processAuthorizationCodeResponse(server, client, response, {
    requireIdToken: true,
  });
  if (!result.id_token) throw new Error('The identity provider returned no ID token.');
  session.signIn(result.id_token);
  history.replaceState(null, '', '/');
}
