import {
  authConfig,
  kafkaConfig,
  loadConfigOrExit,
  mysqlConfig,
  parseConfig,
  paymentsConfig,
  runtimeConfig,
  servicePortsConfig,
  timersConfig,
  z,
} from '@waimai/platform';

export const paymentProviders = ['sandbox', 'none'] as const;
export type PaymentProviderName = (typeof paymentProviders)[number];

/** The provider adapters and the calls this service makes to others. */
const providersConfig = z.object({
  // Which adapter new payments go through: `sandbox` (the built-in one, with a pay page anyone
  // holding a payment id can use) or `none` (no adapter: no pay page, no sandbox webhook,
  // initiatePayment fails). Development and test default to sandbox; production must choose.
  PAYMENT_PROVIDER: z.enum(paymentProviders).optional(),
  // Where the sandbox provider sends its signed callback. Default: through the gateway
  // (`${PUBLIC_URL}/webhooks/payments/sandbox`), exactly the path a real provider takes.
  SANDBOX_CALLBACK_URL: z.string().url().optional(),
  // 3 s: initiatePayment waits on the orders service while the customer waits on us.
  ORDERS_TIMEOUT_MS: z.coerce.number().int().positive().default(3000),
  // 5 s: the sandbox pay page waits this long for the webhook to answer the callback.
  SANDBOX_CALLBACK_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
});

/** Refunds whose provider call failed: when they are tried again, and when operations are told. */
const refundPayoutsConfig = z.object({
  // 5 failed provider calls for one refund raise PaymentNeedsAttention (once per refund).
  REFUND_ATTENTION_AFTER_FAILURES: z.coerce.number().int().positive().default(5),
  // 30 s: the first retry after a claim, doubling with each failure up to an hour.
  REFUND_RETRY_SECONDS: z.coerce.number().int().positive().default(30),
  // 5 s: how often each replica looks for refunds whose payout is due.
  REFUND_PAYOUT_SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(5000),
});

const paymentsServiceConfig = runtimeConfig
  .extend(mysqlConfig.shape)
  .extend(kafkaConfig.shape)
  .extend(authConfig.shape)
  .extend(servicePortsConfig.shape)
  .extend(paymentsConfig.shape)
  .extend(providersConfig.shape)
  .extend(refundPayoutsConfig.shape)
  // The order's payment window bounds how long a payment link stays payable.
  .extend({ PAYMENT_WINDOW_SECONDS: timersConfig.shape.PAYMENT_WINDOW_SECONDS })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV === 'production' && config.PAYMENT_PROVIDER === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['PAYMENT_PROVIDER'],
        message: `must be set under NODE_ENV=production (one of ${paymentProviders.join(', ')}); the sandbox is never chosen by default there`,
      });
    }
  })
  .transform((config) => ({
    ...config,
    PAYMENT_PROVIDER: config.PAYMENT_PROVIDER ?? ('sandbox' as const),
    SANDBOX_CALLBACK_URL: config.SANDBOX_CALLBACK_URL ?? `${config.PUBLIC_URL.replace(/\/+$/, '')}/webhooks/payments/sandbox`,
  }));
export type PaymentsConfig = ReturnType<typeof paymentsServiceConfig.parse>;

/** Parses the payments service's configuration; throws ConfigError listing every problem. */
export function loadPaymentsConfig(env: Record<string, string | undefined>): PaymentsConfig {
  return parseConfig(paymentsServiceConfig, env);
}

export function paymentsConfigOrExit(): PaymentsConfig {
  return loadConfigOrExit(paymentsServiceConfig);
}
