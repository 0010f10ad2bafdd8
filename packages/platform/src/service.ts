import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BaseContext } from '@apollo/server';
import { isTypeDefinitionNode, parse, Source, visit, type ASTNode, type DocumentNode, type TypeDefinitionNode } from 'graphql';
import type { runtimeConfig } from './config';
import { connectDatabase, migrateDatabase, type ConnectOptions, type MysqlOptions, type ServiceDatabase } from './db';
import { createKafkaEventBus, type EventBus, type KafkaOptions, type TopicName } from './events';
import type { RunningService } from './http';
import { onShutdown } from './http';
import { createInternalSigner, type InternalSigner } from './identity';
import { createLogger, type Logger } from './logger';
import { consumerLag } from './metrics';
import { startOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from './outbox';
import type { ReplicaStatus } from './replica-routing';
import { isRedisClient } from './redis';
import { subgraphNamed, type SubgraphName } from './services';
import { startSubgraph, type SubgraphOptions } from './subgraph';
import type { z } from 'zod';

/**
 * Something a service runs beside its HTTP server: an event consumer (events/) or a timer
 * (jobs/). Started once HTTP is open, in order; stopped after HTTP, newest first.
 */
export interface Worker {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves once it does its work (a consumer's group joined); not part of /readyz. */
  ready?(): Promise<void>;
}

/** A worker from a function that starts something and returns its stopper (a timer loop, a sweep). */
export function worker<T extends { stop(): Promise<void> }>(name: string, start: () => T | Promise<T>): Worker & { running(): T | undefined } {
  let running: T | undefined;
  return {
    name,
    async start() {
      running ??= await start();
    },
    async stop() {
      const stopping = running;
      running = undefined;
      await stopping?.stop();
    },
    running: () => running,
  };
}

/** The definitions every subgraph may use (DateTime, GeoPoint, GeoPointInput, PageInfo), written once. */
export const COMMON_SDL_PATH = path.join(__dirname, 'common.graphql');

/**
 * A subgraph's whole SDL: its schema.graphql (`file`), then the definitions of common.graphql
 * it refers to, and those they refer to, in common.graphql's order. Only those: a subgraph
 * declaring a type it never uses would be named among that type's owners in the supergraph.
 * The runtime schema (typeDefsFrom), composition and codegen all read it through here.
 */
export function subgraphSdl(file: string): string {
  const own = readFileSync(file, 'utf8');
  const common = readFileSync(COMMON_SDL_PATH, 'utf8');
  const ownDocument = parse(new Source(own, file));
  const commonDocument = parse(new Source(common, COMMON_SDL_PATH));
  const defined = new Set(ownDocument.definitions.flatMap((definition) => ('name' in definition && definition.name ? [definition.name.value] : [])));
  const wanted = new Set<string>();
  const collect = (node: ASTNode) =>
    visit(node, {
      NamedType(named) {
        if (!defined.has(named.name.value)) wanted.add(named.name.value);
      },
    });
  collect(ownDocument);
  const shared = commonDocument.definitions.filter((definition): definition is TypeDefinitionNode => isTypeDefinitionNode(definition));
  // Until nothing new is wanted: a common type may refer to another.
  for (let size = -1; size !== wanted.size; ) {
    size = wanted.size;
    for (const definition of shared) if (wanted.has(definition.name.value)) collect(definition);
  }
  const used = shared.filter((definition) => wanted.has(definition.name.value) && !defined.has(definition.name.value));
  return [own.trimEnd(), ...used.map((definition) => common.slice(definition.loc!.start, definition.loc!.end))].join('\n\n') + '\n';
}

/** The SDL of a subgraph (src/schema.graphql and the common definitions it uses), read once at start. */
export function typeDefsFrom(file: string): DocumentNode {
  return parse(subgraphSdl(file));
}

/**
 * What every subgraph's config holds (the parts of it the skeleton reads): MySQL, Kafka, the
 * internal secret, the admin address, and the registry's port keys of every subgraph.
 */
export type SubgraphServiceConfig = MysqlOptions &
  KafkaOptions & {
    INTERNAL_SECRET: string;
    ADMIN_HOST: string;
  } & Record<string, unknown>;

export interface ServiceScope {
  /**
   * Keeps `resource` (a pool, a client, a relay) to be closed with `close` when the service
   * stops or fails to start, after everything opened later; returns it.
   */
  own<T>(resource: T, close: (resource: T) => Promise<unknown>): T;
  /** The service's own database (`<DB_PREFIX>_<name>`), closed with the service; readiness pings it. */
  database<TSchema extends Record<string, unknown>>(schema: TSchema, options?: ConnectOptions): ServiceDatabase<TSchema>;
  /** The Kafka bus, closed with the service, once `topics` exist (the ones it publishes to and reads). */
  bus(topics: readonly TopicName[]): Promise<EventBus>;
  /** The outbox relay of the service's database to `bus`, stopped before the bus closes. */
  relay(database: ServiceDatabase<Record<string, unknown>>, bus: EventBus, options?: Omit<OutboxRelayOptions, 'service' | 'db' | 'bus' | 'logger'>): OutboxRelay;
  /** Signs and checks the identity the gateway forwards and the internal calls (INTERNAL_SECRET). */
  signer: InternalSigner;
}

export interface ServiceParts<TContext extends BaseContext, TExposed extends object> {
  /**
   * The GraphQL server: schema, resolvers, context, extra routes, readiness checks besides
   * the database's. Its ports come from the registry's config keys, its signer from the scope.
   */
  subgraph: Omit<SubgraphOptions<TContext>, 'name' | 'logger' | 'port' | 'admin' | 'signer' | 'readiness'> & {
    readiness?: SubgraphOptions<TContext>['readiness'];
  };
  /** Consumers and jobs, started after HTTP is open (HTTP never waits for a consumer group). */
  workers?: readonly Worker[];
  /** What tests and callers may reach on the running service (its domain service, test hooks); `{}` for nothing. */
  exposes: TExposed;
}

export type RunningSubgraphService<TExposed extends object = object> = RunningService &
  TExposed & {
    /** Resolves once every worker that tells (`ready`) does its work. */
    workersReady(): Promise<void>;
    /** The Kafka bus it opened (`scope.bus`); throws for a service that opened none. */
    readonly bus: EventBus;
    /** Publishes every pending outbox row now (tests, shutdown); nothing for a service without a relay. */
    drainOutbox(): Promise<void>;
  };

/**
 * The one skeleton of a subgraph process. `build` opens pools and clients through `scope.own`
 * and describes the server and workers; then the HTTP server starts, then each worker. A
 * failure anywhere closes what was opened so far, newest first, and rethrows, so a failed
 * start leaks no pool, consumer or port. `stop()` stops taking requests first, then the
 * workers (newest first), then the owned resources (newest first: relays before the bus,
 * pools last).
 */
export async function startSubgraphService<TContext extends BaseContext, TExposed extends object>(
  name: SubgraphName,
  config: SubgraphServiceConfig,
  logger: Logger,
  build: (scope: ServiceScope) => Promise<ServiceParts<TContext, TExposed>> | ServiceParts<TContext, TExposed>,
): Promise<RunningSubgraphService<TExposed>> {
  type Closing = { name: string; close(): Promise<unknown> };
  const closeNewestFirst = async (entries: readonly Closing[], failing: boolean) => {
    for (const entry of [...entries].reverse()) {
      try {
        await entry.close();
      } catch (err) {
        // After a failed start, the start's own error is the one rethrown; either way, go on.
        logger.error({ err, step: entry.name }, failing ? 'Cleaning up after a failed start failed.' : 'A shutdown step failed.');
      }
    }
  };
  const registered = subgraphNamed(name);
  // Pools and clients, in the order they were opened.
  const owned: Closing[] = [];
  let openedBus: EventBus | undefined;
  let openedRelay: OutboxRelay | undefined;
  const readiness: NonNullable<SubgraphOptions<TContext>['readiness']> = {};
  const own: ServiceScope['own'] = (resource, close) => {
    owned.push({ name: `resource ${owned.length + 1}`, close: () => close(resource) });
    // A Redis client the service keeps is one of its dependencies: readiness pings it.
    if (isRedisClient(resource)) {
      readiness.redis ??= async () => {
        await resource.ping();
      };
    }
    return resource;
  };
  const scope: ServiceScope = {
    own,
    database(schema, options) {
      const mysqlLog = logger.child({ component: 'mysql-replicas' });
      const onReplicaChange = (status: ReplicaStatus) => {
        if (status.serving) mysqlLog.info({ replica: status.name, lagMs: status.lagMs }, 'A MySQL replica takes stale-ok reads.');
        else mysqlLog.warn({ replica: status.name, reachable: status.reachable, lagMs: status.lagMs }, 'A MySQL replica takes no reads (unreachable, or behind by more than MYSQL_REPLICA_MAX_LAG_MS): they go to the primary.');
      };
      const database = own(connectDatabase(config, name, schema, { onReplicaChange, ...options }), (database) => database.close());
      readiness.mysql = () => database.ping();
      return database;
    },
    async bus(topics) {
      const bus = own(createKafkaEventBus(config, name, logger), (bus) => bus.close());
      openedBus = bus;
      await bus.ensureTopics([...topics]);
      // Ready once its producer is connected and its consumers have joined their groups.
      readiness.kafka = () => bus.check();
      own(
        consumerLag.track(name, async () =>
          (await bus.consumerLag()).map(({ group, topic, partition, lag }) => ({ labels: { service: name, group, topic, partition }, value: lag })),
        ),
        async (untrack) => untrack(),
      );
      return bus;
    },
    relay(database, bus, options = {}) {
      // Rows it has not sent on stop wait for the next start.
      openedRelay = own(
        startOutboxRelay({ intervalMs: config.OUTBOX_POLL_MS, ...options, service: name, db: database.primary, transaction: database.outboxTransaction, bus, logger }),
        (relay) => relay.stop(),
      );
      return openedRelay;
    },
    signer: createInternalSigner(config.INTERNAL_SECRET),
  };
  // Everything started so far, in order: the owned resources, the HTTP server, each worker.
  let started: Closing[] = owned;

  try {
    const parts = await build(scope);
    const subgraph = await startSubgraph<TContext>({
      ...parts.subgraph,
      name,
      logger,
      port: portOf(config, registered.portKey),
      admin: { port: portOf(config, registered.adminPortKey), host: config.ADMIN_HOST },
      signer: scope.signer,
      readiness: { ...readiness, ...parts.subgraph.readiness },
    });
    const workers: Closing[] = [];
    started = [...owned, { name: `${name} subgraph`, close: () => subgraph.stop() }, ...workers];
    for (const each of parts.workers ?? []) {
      await each.start();
      const entry = { name: each.name, close: () => each.stop() };
      workers.push(entry);
      started.push(entry);
    }
    const running: Omit<RunningSubgraphService, 'bus'> = {
      name,
      port: subgraph.port,
      baseUrl: `http://127.0.0.1:${subgraph.port}`,
      adminUrl: subgraph.adminUrl,
      async workersReady() {
        await Promise.all((parts.workers ?? []).map((each) => each.ready?.()));
      },
      async drainOutbox() {
        await openedRelay?.drain();
      },
      async stop() {
        // Stop taking requests first, then events and timers, then pools.
        await subgraph.stop();
        await closeNewestFirst(workers, false);
        await closeNewestFirst(owned, false);
      },
    };
    const bus = openedBus;
    return Object.defineProperty({ ...parts.exposes, ...running }, 'bus', {
      enumerable: true,
      get(): EventBus {
        if (!bus) throw new Error(`${name} opened no Kafka bus.`);
        return bus;
      },
    }) as RunningSubgraphService<TExposed>;
  } catch (err) {
    logger.error({ err }, `${name} failed to start; closing what was opened, newest first.`);
    await closeNewestFirst(started, true);
    throw err;
  }
}

type RuntimeConfig = z.infer<typeof runtimeConfig>;

/** A service's entry points: the process (`runService`) and testkit's stack start it through these. */
export interface ServiceEntry<TConfig extends RuntimeConfig, TRunning extends RunningService = RunningService> {
  name: SubgraphName;
  loadConfig(env: Record<string, string | undefined>): TConfig;
  /** Creates its database and applies its committed migrations. */
  migrate(config: TConfig): Promise<void>;
  start(config: TConfig, logger: Logger): Promise<TRunning>;
}

/** What a service declares; `migrations` is the folder of its committed migrations (drizzle-kit's output). */
export interface ServiceDefinition<TConfig extends RuntimeConfig, TRunning extends RunningService> {
  name: SubgraphName;
  loadConfig(env: Record<string, string | undefined>): TConfig;
  migrations: string;
  start(config: TConfig, logger: Logger): Promise<TRunning>;
}

/** What a caller needs to run a service without knowing its config type. */
export interface Launchable {
  name: string;
  /** Loads the config from `env`, migrates (when `migrate`), starts. */
  launch(env: Record<string, string | undefined>, logger: Logger, options?: { migrate?: boolean }): Promise<RunningService>;
}

export function defineService<TConfig extends RuntimeConfig & MysqlOptions, TRunning extends RunningService>(
  definition: ServiceDefinition<TConfig, TRunning>,
): ServiceEntry<TConfig, TRunning> & Launchable {
  const entry: ServiceEntry<TConfig, TRunning> = {
    name: definition.name,
    loadConfig: definition.loadConfig,
    start: definition.start,
    migrate: (config) => migrateDatabase(config, definition.name, definition.migrations),
  };
  return {
    ...entry,
    async launch(env, logger, options = {}) {
      const config = entry.loadConfig(env);
      if (options.migrate) await entry.migrate(config);
      return entry.start(config, logger);
    },
  };
}

function portOf(config: Record<string, unknown>, key: string): number {
  const port = config[key];
  if (typeof port !== 'number') throw new Error(`The config lacks ${key}: extend the service's config with servicePortsConfig.`);
  return port;
}

/**
 * main() of a service process: its config (`configOrExit`, from env.ts: every problem
 * reported, then exit 1), start, and on SIGTERM/SIGINT (from the moment it starts starting) a
 * stop bounded by SHUTDOWN_TIMEOUT_MS (exit 1 past that). A failed start has already closed what it opened; the process exits 1.
 */
export function runService<TConfig extends RuntimeConfig>(entry: ServiceEntry<TConfig>, configOrExit: () => TConfig): void {
  const main = async () => {
    const config = configOrExit();
    const logger = createLogger(entry.name, config.LOG_LEVEL);
    // Listening for SIGTERM before starting: the service answers /readyz before its consumers
    // have started, and a signal then must wait for the start and stop gracefully, not kill it.
    const running = entry.start(config, logger);
    onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, [[`${entry.name} subgraph`, async () => (await running).stop()]]);
    await running;
  };
  main().catch((err: unknown) => {
    process.stderr.write(`${entry.name} failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
