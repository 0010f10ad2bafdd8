import { authConfig, ConfigError, DEVELOPMENT_SECRETS, parseConfig, paymentsConfig, runtimeConfig, servicePortsConfig } from '../src/config';

const serviceConfig = runtimeConfig.extend(authConfig.shape).extend(paymentsConfig.shape).extend(servicePortsConfig.shape);

const ownSecrets = {
  JWT_SECRET: 'a-jwt-secret-of-our-own-0123456789',
  INTERNAL_SECRET: 'an-internal-secret-of-our-own-0123456789',
  PAYMENT_WEBHOOK_SECRET: 'a-webhook-secret-of-our-own-0123456789',
};

/** The problems parseConfig reports for `env`, or [] when it accepts it. */
function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(serviceConfig, env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('configuration under NODE_ENV=production', () => {
  it('refuses every secret left at its development default, naming each variable', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^JWT_SECRET: still has its development value/),
      expect.stringMatching(/^INTERNAL_SECRET: still has its development value/),
      expect.stringMatching(/^PAYMENT_WEBHOOK_SECRET: still has its development value/),
    ]);
  });

  it('refuses a development value set explicitly, or any …change-me value, and names only those variables', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      ...ownSecrets,
      INTERNAL_SECRET: DEVELOPMENT_SECRETS.INTERNAL_SECRET,
      PAYMENT_WEBHOOK_SECRET: 'our-webhook-secret-CHANGE-ME',
    });

    expect(problems).toEqual([expect.stringMatching(/^INTERNAL_SECRET: /), expect.stringMatching(/^PAYMENT_WEBHOOK_SECRET: /)]);
  });

  it('reports the development secrets together with every other problem', () => {
    const problems = problemsOf({ NODE_ENV: 'production', ...ownSecrets, JWT_SECRET: 'short', GATEWAY_ADMIN_PORT: 'nine', INTERNAL_SECRET: DEVELOPMENT_SECRETS.INTERNAL_SECRET });

    expect(problems).toEqual([
      expect.stringMatching(/^JWT_SECRET: .*16/),
      expect.stringMatching(/^GATEWAY_ADMIN_PORT: /),
      expect.stringMatching(/^INTERNAL_SECRET: still has its development value/),
    ]);
  });

  it('starts with secrets of its own', () => {
    const config = parseConfig(serviceConfig, { NODE_ENV: 'production', ...ownSecrets });

    expect(config).toMatchObject({ NODE_ENV: 'production', ...ownSecrets });
  });

  it('keeps the 16-character minimum of the secrets', () => {
    expect(problemsOf({ NODE_ENV: 'production', ...ownSecrets, JWT_SECRET: 'fifteen-chars!!' })).toEqual([expect.stringMatching(/^JWT_SECRET: .*16/)]);
  });

  it('checks a schema that a service wrapped in .superRefine() and .transform() too', () => {
    const wrapped = serviceConfig.superRefine(() => undefined).transform((config) => ({ ...config, derived: true }));

    expect(() => parseConfig(wrapped, { NODE_ENV: 'production', ...ownSecrets, JWT_SECRET: DEVELOPMENT_SECRETS.JWT_SECRET })).toThrow(/^ {2}- JWT_SECRET: still has its development value/m);
  });

  it('checks only the secrets the service reads', () => {
    const withoutPayments = runtimeConfig.extend(authConfig.shape);

    expect(() => parseConfig(withoutPayments, { NODE_ENV: 'production', JWT_SECRET: ownSecrets.JWT_SECRET, INTERNAL_SECRET: ownSecrets.INTERNAL_SECRET })).not.toThrow();
  });
});

describe('configuration in development and tests', () => {
  it.each(['development', 'test', undefined])('NODE_ENV=%s runs on the development secrets', (nodeEnv) => {
    const config = parseConfig(serviceConfig, { NODE_ENV: nodeEnv });

    expect(config).toMatchObject(DEVELOPMENT_SECRETS);
  });
});

describe('admin ports', () => {
  it('default to 9400 (gateway) … 9404 (riders), distinct from the public ports, on 127.0.0.1', () => {
    const config = parseConfig(serviceConfig, {});

    expect(config).toMatchObject({
      GATEWAY_ADMIN_PORT: 9400,
      PRODUCTS_ADMIN_PORT: 9401,
      ORDERS_ADMIN_PORT: 9402,
      PAYMENTS_ADMIN_PORT: 9403,
      RIDERS_ADMIN_PORT: 9404,
      ADMIN_HOST: '127.0.0.1',
    });
  });

  it('take 0 for a free port and another address for containers', () => {
    const config = parseConfig(serviceConfig, { PRODUCTS_ADMIN_PORT: '0', ADMIN_HOST: '0.0.0.0' });

    expect(config).toMatchObject({ PRODUCTS_ADMIN_PORT: 0, ADMIN_HOST: '0.0.0.0' });
  });
});
