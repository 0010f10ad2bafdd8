import { z } from 'zod';
import { subgraphPortsShape } from './services';

/**
 * One zod schema per concern; a service's env.ts merges the ones it needs and parses
 * process.env once. Every problem is reported together, then the process exits 1.
 */
const commaList = z
  .string()
  .transform((s) => s.split(',').map((part) => part.trim()).filter(Boolean));

const duration = (defaultSeconds: number) => z.coerce.number().positive().default(defaultSeconds);

/**
 * Logs and traces. Telemetry starts before any config is parsed (its instrumentations must be
 * in place before http, express, mysql2 and ioredis load), so it reads these itself
 * (`observabilityFromEnv`); every service's config checks them too, with the rest.
 * OTEL_* are the OpenTelemetry SDK's own names; the SDK also reads its other OTEL_* variables.
 */
/** LOG_BUFFER_BYTES when it is not set: log lines go to stdout together once this many bytes wait. */
export const DEFAULT_LOG_BUFFER_BYTES = 4096;
/** LOG_FLUSH_MS when it is not set: waiting log lines go to stdout this many ms after the first of them. */
export const DEFAULT_LOG_FLUSH_MS = 250;

export const observabilityConfig = z.object({
  // json: pino's lines; ecs: Elastic Common Schema (@elastic/ecs-pino-format), ingested by Filebeat/Logstash as is.
  LOG_FORMAT: z.enum(['json', 'ecs']).default('json'),
  // Log lines gather in memory and go to stdout in one write once this many bytes wait, or
  // LOG_FLUSH_MS after the first of them; 0: every line in a write of its own (docs/performance/logs.md).
  LOG_BUFFER_BYTES: z.coerce.number().int().min(0).max(16_000).default(DEFAULT_LOG_BUFFER_BYTES),
  LOG_FLUSH_MS: z.coerce.number().int().positive().max(10_000).default(DEFAULT_LOG_FLUSH_MS),
  // Named on every log line and span; the image build sets it (a tag or commit), else the package's version.
  SERVICE_VERSION: z.string().min(1).optional(),
  // Tracing is off until an OTLP/HTTP endpoint is set (e.g. http://otel-collector:4318); then every span is exported there.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  // The traces endpoint alone (the full URL, …/v1/traces), when it differs from the one above.
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  // true: no tracing even with an endpoint set.
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).default('false'),
  // The service name on spans; by default the process's own (gateway, orders, ...).
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  // Which requests are traced: parentbased_traceidratio with OTEL_TRACES_SAMPLER_ARG=0.1 keeps a tenth (default: all).
  OTEL_TRACES_SAMPLER: z.string().min(1).optional(),
  OTEL_TRACES_SAMPLER_ARG: z.string().min(1).optional(),
});
export type ObservabilityConfig = z.infer<typeof observabilityConfig>;

let observability: ObservabilityConfig | null | undefined;

/** observabilityConfig from process.env, parsed once; null when it does not parse (the service's config then says why and exits). */
export function observabilityFromEnv(): ObservabilityConfig | null {
  if (observability === undefined) {
    const parsed = observabilityConfig.safeParse(process.env);
    observability = parsed.success ? parsed.data : null;
  }
  return observability;
}

export const runtimeConfig = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // 10 s: long enough for in-flight GraphQL requests and a consumer's current batch.
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  ...observabilityConfig.shape,
});

/** The outbox relay's fallback poll when OUTBOX_POLL_MS is not set, ms. */
export const DEFAULT_OUTBOX_POLL_MS = 1000;

export const mysqlConfig = z.object({
  MYSQL_URL: z.string().url().default('mysql://root@127.0.0.1:3306'),
  MYSQL_REPLICA_URLS: commaList.default([]),
  DB_PREFIX: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/).default('waimai'),
  MYSQL_POOL_SIZE: z.coerce.number().int().positive().default(10),
  // 2 000 ms: how stale a browse, a staff search or a figure may be; a replica further behind
  // takes no reads until it catches up (docs/replica.md).
  MYSQL_REPLICA_MAX_LAG_MS: z.coerce.number().int().positive().default(2000),
  // 1 000 ms: how often each process compares each replica's GTID position with the primary's.
  MYSQL_REPLICA_CHECK_INTERVAL_MS: z.coerce.number().int().min(100).default(1000),
  // 1 000 ms: how long a read after a write waits for a replica to apply it before reading on the primary.
  MYSQL_REPLICA_WAIT_MS: z.coerce.number().int().min(0).default(1000),
  // 1 000 ms: how often each outbox relay asks whether anything was left unsent. Every commit
  // that enqueues events kicks its relay, so this only bounds how long a batch waits after a
  // failed publish (Kafka away) or a commit that did not kick
  // (waimai_outbox_fallback_batches_total counts those).
  OUTBOX_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(DEFAULT_OUTBOX_POLL_MS),
  // false: a MySQL error's stack shows mysql2's frames, not the caller's (drizzle still names the
  // failed query). mysql2 captures the caller's stack before every statement when true, about 3%
  // of a busy service's CPU (docs/performance/client-libraries.md, section 5).
  MYSQL_CALLER_STACKS: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((value) => value === 'true' || value === '1'),
});

export const redisConfig = z.object({
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: z.string().default('waimai:'),
  // host:port,host:port of Redis Cluster masters (a few are enough; the rest are discovered).
  // When set, the services use the cluster and REDIS_URL is not read: docs/redis-cluster.md.
  REDIS_CLUSTER_NODES: commaList.default([]),
});

export const kafkaConfig = z.object({
  KAFKA_BROKERS: commaList.default(['127.0.0.1:9092']),
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().positive().default(6),
  // 1 for a single local broker; 3 in production.
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().positive().default(1),
  // 6 000 ms: how long after a member's last heartbeat the broker declares it dead and hands its
  // partitions on (a kill -9 sends no LeaveGroup). Kafka's default group.min.session.timeout.ms
  // is 6 000, the lowest a broker accepts unless lowered there; see docs/architecture.md.
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(1000).default(6000),
  // 4 000 ms: how long a rebalance waits for the group's members to rejoin; one that does not
  // (a dead one) is dropped then, even before its session ends. Must cover a live member's
  // slowest event handler (3 s HTTP timeouts) plus a heartbeat.
  KAFKA_REBALANCE_TIMEOUT_MS: z.coerce.number().int().min(1000).default(4000),
  // 1 000 ms: how long the broker holds an empty fetch; data is handed over as soon as it
  // arrives whatever this is. Lower wakes idle consumers more often; keep it well under the
  // rebalance timeout (members learn of a rebalance between fetches).
  KAFKA_MAX_WAIT_MS: z.coerce.number().int().min(10).max(3000).default(1000),
  // 1 000 ms: consumers commit the offsets of the events they have handled at most this often,
  // instead of after every fetched batch (one OffsetCommit per batch per group, a write to
  // __consumer_offsets each). A crash or a lost partition delivers up to this much again, which
  // the idempotent handlers absorb. 0 commits after every batch (kafkajs's own auto-commit).
  KAFKA_COMMIT_INTERVAL_MS: z.coerce.number().int().min(0).max(10_000).default(1000),
  // 64 KiB: a batched consumer's fetch (read models, clean-ups, refunds: nobody waits on them)
  // is answered once this much is there or after KAFKA_MAX_WAIT_MS, so under load it reads about
  // once a second instead of once an event. 1 makes them fetch as soon as an event arrives.
  KAFKA_BATCH_MIN_BYTES: z.coerce.number().int().min(1).max(16 * 1024 * 1024).default(65_536),
});

/**
 * The secrets' development values: fine on a laptop, refused under NODE_ENV=production
 * (parseConfig), so a deployment cannot run on values that are in this repository.
 */
export const DEVELOPMENT_SECRETS = {
  JWT_SECRET: 'waimai-dev-jwt-secret-change-me',
  INTERNAL_SECRET: 'waimai-dev-internal-secret-change-me',
  PAYMENT_WEBHOOK_SECRET: 'waimai-dev-webhook-secret-change-me',
} as const;

export const authConfig = z.object({
  JWT_SECRET: z.string().min(16).default(DEVELOPMENT_SECRETS.JWT_SECRET),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  JWT_JWKS_URL: z.string().url().optional(),
  // Shared by the gateway and the services: signs the identity the gateway forwards
  // and the service-to-service calls. Never leaves the cluster.
  INTERNAL_SECRET: z.string().min(16).default(DEVELOPMENT_SECRETS.INTERNAL_SECRET),
});

export const servicePortsConfig = z.object({
  GATEWAY_PORT: z.coerce.number().int().min(0).default(4000),
  // Each subgraph's PORT, ADMIN_PORT and URL, from the registry (services.ts).
  ...subgraphPortsShape(),
  PUBLIC_URL: z.string().url().default('http://localhost:4000'),
  // Internal admin port of each process: /readyz and /metrics, never on the public port.
  // Distinct defaults so that `pnpm start` runs every process on one host; 0 = a free port.
  GATEWAY_ADMIN_PORT: z.coerce.number().int().min(0).default(9400),
  // Loopback by default: only this host reaches the admin port. A container sets 0.0.0.0
  // so that Prometheus and the kubelet can, and publishes it to the cluster network only.
  ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
});

export const timersConfig = z.object({
  PAYMENT_WINDOW_SECONDS: duration(15 * 60),
  OFFER_SECONDS: duration(30),
  DISPATCH_MAX_ROUNDS: z.coerce.number().int().positive().default(3),
  DISPATCH_FIRST_RADIUS_METERS: z.coerce.number().int().positive().default(3000),
  DISPATCH_RADIUS_GROWTH: z.coerce.number().positive().default(2),
  DELIVERY_BASE_MINUTES: duration(30),
  // Seconds a RECEIVED order waits before it closes (complaints window).
  CLOSE_AFTER_SECONDS: duration(60),
  SCHEDULER_INTERVAL_MS: z.coerce.number().int().positive().default(1000),
  // Refund for a late order, in per cent of the total (赔付).
  OVERTIME_REFUND_PERCENT: z.coerce.number().int().min(0).max(100).default(20),
  RIDER_LOCATION_TTL_SECONDS: duration(60),
});

export const paymentsConfig = z.object({
  PAYMENT_WEBHOOK_SECRET: z.string().min(16).default(DEVELOPMENT_SECRETS.PAYMENT_WEBHOOK_SECRET),
});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const isDevelopmentSecret = (value: string) => /change-me/i.test(value);

/** The variables an env schema reads: its object's, through `.transform()` pipes (`.superRefine()` keeps the object). */
function objectShape(schema: z.ZodType): Record<string, unknown> {
  if (schema instanceof z.ZodObject) return schema.shape as Record<string, unknown>;
  if (schema instanceof z.ZodPipe) return objectShape(schema.in as z.ZodType);
  return {};
}

/**
 * Under NODE_ENV=production: every secret of `schema` that still has a development value
 * (the default, or any `…change-me` value copied from .env.example), by variable name.
 */
function developmentSecretProblems(schema: z.ZodType, env: Record<string, string | undefined>): string[] {
  if (env.NODE_ENV !== 'production') return [];
  const shape = objectShape(schema);
  return Object.entries(DEVELOPMENT_SECRETS)
    .filter(([name, fallback]) => name in shape && isDevelopmentSecret(env[name] ?? fallback))
    .map(([name]) => `${name}: still has its development value under NODE_ENV=production; set a secret of your own`);
}

/**
 * Parses `env` with `schema`, collecting every problem into one ConfigError: the schema's,
 * and under NODE_ENV=production each secret left at its development value.
 */
export function parseConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(env);
  const problems = [
    ...(result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)),
    ...developmentSecretProblems(schema, env),
  ];
  if (problems.length) throw new ConfigError(problems);
  return result.data as z.infer<S>;
}

/** For env.ts: parse or print every problem and exit 1. */
export function loadConfigOrExit<S extends z.ZodType>(schema: S, env: Record<string, string | undefined> = process.env): z.infer<S> {
  try {
    return parseConfig(schema, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

export { z };
