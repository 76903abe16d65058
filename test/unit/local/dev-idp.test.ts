import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createDevIdp, DEV_IDP, devSubject } from '../../../local/dev-idp';
import { identityFromClaims } from '../../../shared/http/middleware';

describe('dev identity provider', () => {
  it('issues tokens the gateway accepts, with the claims the handlers read', async () => {
    const idp = await createDevIdp({ workspaceClaim: 'custom:workspace' });

    const { token } = await idp.issue({ email: 'Bob@Acme.example', name: 'Bob', workspace: 'acme' });
    const claims = await idp.verify(token);

    expect(claims).toMatchObject({
      iss: DEV_IDP.issuer,
      aud: DEV_IDP.audience,
      sub: devSubject('bob@acme.example'),
    });
    expect(identityFromClaims(claims as never, 'custom:workspace')).toEqual({
      issuer: DEV_IDP.issuer,
      subject: devSubject('bob@acme.example'),
      email: 'bob@acme.example',
      name: 'Bob',
      workspaceName: 'acme',
      // The dev IdP asserts a verified email, so its users link to the ones SCIM provisioned.
      emailVerified: true,
    });
  });

  it('rejects a token signed by another key', async () => {
    const idp = await createDevIdp({ workspaceClaim: 'custom:workspace' });
    const other = await createDevIdp({ workspaceClaim: 'custom:workspace' });

    const { token } = await other.issue({ email: 'a@b.example', name: 'A', workspace: 'acme' });

    await expect(idp.verify(token)).rejects.toThrow();
  });

  it('rejects an expired token and a tampered one', async () => {
    const idp = await createDevIdp({ workspaceClaim: 'custom:workspace' });
    const { token } = await idp.issue({ email: 'a@b.example', name: 'A', workspace: 'acme' });
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ sub: 'x', iss: DEV_IDP.issuer, aud: DEV_IDP.audience }),
    ).toString('base64url');

    await expect(idp.verify(`${header}.${forged}.${signature}`)).rejects.toThrow();
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(DEV_IDP.issuer)
      .setExpirationTime(0)
      .sign(new Uint8Array(32));
    await expect(idp.verify(expired)).rejects.toThrow();
  });

  it('gives the same subject to the same email in any case, and different ones to different emails', () => {
    expect(devSubject('Alice@acme.example')).toBe(devSubject('alice@acme.example'));
    expect(devSubject('alice@acme.example')).not.toBe(devSubject('bob@acme.example'));
  });
});
