import { SignJWT } from 'jose';
import { setTimeout as sleep } from 'node:timers/promises';
import { createInternalSigner, reusedServiceToken, verifiedCallers, verifiedServices, verifiedTokens } from '../src/identity';

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

describe('service tokens of internal calls', () => {
  /** The signer with a count of its signatures and of its checks of service tokens. */
  function countingServiceSigner() {
    const signer = createInternalSigner(SECRET);
    const counts = { signed: 0, checked: 0 };
    return {
      signer: {
        signService(service: string) {
          counts.signed += 1;
          return signer.signService(service);
        },
        verifyServiceToken(token: string) {
          counts.checked += 1;
          return signer.verifyServiceToken(token);
        },
      },
      counts,
    };
  }

  it('a caller signs its token once and reuses it for 30 s, then signs a new one', async () => {
    const { signer, counts } = countingServiceSigner();
    const tokenOf = reusedServiceToken(signer, 'orders');
    const now = jest.spyOn(Date, 'now');
    try {
      const start = Date.now();
      now.mockReturnValue(start);
      const first = await tokenOf();
      now.mockReturnValue(start + 29_999);
      expect(await tokenOf()).toBe(first);
      expect(counts.signed).toBe(1);
      now.mockReturnValue(start + 30_001);
      const second = await tokenOf();
      expect(counts.signed).toBe(2);
      // jose signs with whole seconds: a second later the token differs.
      now.mockReturnValue(start + 31_001);
      expect(await tokenOf()).toBe(second);
    } finally {
      now.mockRestore();
    }
    expect(await createInternalSigner(SECRET).verifyService(await tokenOf())).toBe('orders');
  });

  it('a signing that failed is not reused', async () => {
    let attempts = 0;
    const tokenOf = reusedServiceToken(
      {
        signService: async (service: string) => {
          attempts += 1;
          if (attempts === 1) throw new Error('no key yet');
          return `token-of-${service}`;
        },
      },
      'orders',
    );
    await expect(tokenOf()).rejects.toThrow('no key yet');
    await expect(tokenOf()).resolves.toBe('token-of-orders');
    await expect(tokenOf()).resolves.toBe('token-of-orders');
    expect(attempts).toBe(2);
  });

  it('a callee checks a service token once, and refuses a forged, foreign or expired one every time', async () => {
    const { signer, counts } = countingServiceSigner();
    const verifyService = verifiedServices(signer);
    const token = await signer.signService('orders');
    expect([await verifyService(token), await verifyService(token), await verifyService(token)]).toEqual(['orders', 'orders', 'orders']);
    expect(counts.checked).toBe(1);

    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'payments' })).toString('base64url')}.${signature}`;
    const foreign = await createInternalSigner('another-internal-secret-value').signService('orders');
    // A gateway-signed identity is no service token (another audience).
    const identity = await forwardedToken('customer-1', 60);
    const expired = await new SignJWT({ roles: [] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('orders')
      .setIssuer('orders')
      .setAudience('waimai-internal')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 1)
      .sign(new TextEncoder().encode(SECRET));
    for (const bad of [forged, forged, foreign, identity, expired, expired]) await expect(verifyService(bad)).rejects.toThrow();
    expect(counts.checked).toBe(7);
  });
});

describe('verifiedTokens', () => {
  it('remembers a value until the expiry the check gave, null values too, and checks again after it', async () => {
    let checks = 0;
    const verify = verifiedTokens(async (token: string) => {
      checks += 1;
      return { value: token === 'anonymous' ? null : { sub: token }, expiresAt: Date.now() + 150 };
    });
    expect(await verify('anonymous')).toBeNull();
    expect(await verify('anonymous')).toBeNull();
    expect(await verify('rider-1')).toEqual({ sub: 'rider-1' });
    expect(await verify('rider-1')).toEqual({ sub: 'rider-1' });
    expect(checks).toBe(2);
    await sleep(200);
    expect(await verify('rider-1')).toEqual({ sub: 'rider-1' });
    expect(checks).toBe(3);
  });

  it('does not remember a token that expired by the time it was checked', async () => {
    let checks = 0;
    const verify = verifiedTokens(async () => {
      checks += 1;
      return { value: 'x', expiresAt: Date.now() - 1 };
    });
    await verify('t');
    await verify('t');
    expect(checks).toBe(2);
  });
});
