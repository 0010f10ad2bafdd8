import { SignJWT } from 'jose';
import { createInternalSigner, verifiedCallers } from '../src/identity';

const SECRET = 'verified-callers-test-internal-secret';

/** A gateway-signed identity that expires `ttlSeconds` from now (may be negative: already expired). */
function forwardedToken(sub: string, ttlSeconds: number): Promise<string> {
  return new SignJWT({ roles: ['CUSTOMER'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer('waimai-gateway')
    .setAudience('waimai-subgraphs')
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(new TextEncoder().encode(SECRET));
}

/** The signer with a count of the HMAC checks it did. */
function countingSigner() {
  const signer = createInternalSigner(SECRET);
  let checks = 0;
  return {
    signer: {
      verifyForwarded(token: string) {
        checks += 1;
        return signer.verifyForwarded(token);
      },
    },
    checks: () => checks,
  };
}

describe('forwarded identities verified by a subgraph', () => {
  it('a token is checked once and then remembered, for the caller it names', async () => {
    const { signer, checks } = countingSigner();
    const verifyCaller = verifiedCallers(signer);
    const token = await forwardedToken('customer-1', 60);

    const callers = [await verifyCaller(token), await verifyCaller(token), await verifyCaller(token)];

    expect(callers).toEqual([{ sub: 'customer-1', roles: ['CUSTOMER'] }, { sub: 'customer-1', roles: ['CUSTOMER'] }, { sub: 'customer-1', roles: ['CUSTOMER'] }]);
    expect(checks()).toBe(1);
    expect(await verifyCaller(await createInternalSigner(SECRET).signCaller(null))).toBeNull();
  });

  it('an expired, tampered or foreign token is refused every time, remembered or not', async () => {
    const { signer, checks } = countingSigner();
    const verifyCaller = verifiedCallers(signer);
    const expired = await forwardedToken('customer-2', -1);
    const valid = await forwardedToken('customer-3', 60);
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'admin-1', roles: ['ADMIN'] })).toString('base64url')}.${signature}`;
    const foreign = await createInternalSigner('another-internal-secret-value').signCaller({ sub: 'customer-3', roles: ['CUSTOMER'] });

    await verifyCaller(valid);
    for (const token of [expired, expired, tampered, tampered, foreign]) await expect(verifyCaller(token)).rejects.toThrow();
    expect(checks()).toBe(6);
  });

  it('keeps at most its bound of tokens, dropping the oldest', async () => {
    const { signer, checks } = countingSigner();
    const verifyCaller = verifiedCallers(signer, 2);
    const [first, second, third] = await Promise.all(['a', 'b', 'c'].map((sub) => forwardedToken(`customer-${sub}`, 60)));

    for (const token of [first!, second!, third!, third!, second!, first!]) await verifyCaller(token);

    // first, second, third checked; third and second remembered; first dropped, so checked again.
    expect(checks()).toBe(4);
  });
});
