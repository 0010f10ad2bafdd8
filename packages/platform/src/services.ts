import { z } from 'zod';

/**
 * The registry of services: every subgraph once, in the order they start (a service's
 * internal calls go to services listed before it, or tolerate their absence). The gateway
 * routes to these, `pnpm start`, migrate, compose and codegen walk them, and testkit's stack
 * starts them; the config keys and default ports below become `servicePortsConfig`.
 */
export const SUBGRAPHS = [
  {
    name: 'products',
    folder: 'subgraphs/products',
    port: 4001,
    adminPort: 9401,
    portKey: 'PRODUCTS_PORT',
    adminPortKey: 'PRODUCTS_ADMIN_PORT',
    urlKey: 'PRODUCTS_URL',
    database: true,
  },
  {
    name: 'orders',
    folder: 'subgraphs/orders',
    port: 4002,
    adminPort: 9402,
    portKey: 'ORDERS_PORT',
    adminPortKey: 'ORDERS_ADMIN_PORT',
    urlKey: 'ORDERS_URL',
    database: true,
  },
  {
    name: 'payments',
    folder: 'subgraphs/payments',
    port: 4003,
    adminPort: 9403,
    portKey: 'PAYMENTS_PORT',
    adminPortKey: 'PAYMENTS_ADMIN_PORT',
    urlKey: 'PAYMENTS_URL',
    database: true,
  },
  {
    name: 'riders',
    folder: 'subgraphs/riders',
    port: 4004,
    adminPort: 9404,
    portKey: 'RIDERS_PORT',
    adminPortKey: 'RIDERS_ADMIN_PORT',
    urlKey: 'RIDERS_URL',
    database: true,
  },
  {
    name: 'operations',
    folder: 'subgraphs/operations',
    port: 4005,
    adminPort: 9405,
    portKey: 'OPERATIONS_PORT',
    adminPortKey: 'OPERATIONS_ADMIN_PORT',
    urlKey: 'OPERATIONS_URL',
    database: true,
  },
] as const satisfies readonly SubgraphInfo[];

export interface SubgraphInfo {
  /** The subgraph's name in the supergraph, its logger's and its database's (`<DB_PREFIX>_<name>`). */
  name: string;
  /** Its package, from the workspace root: src/schema.graphql, src/index.ts, drizzle/. */
  folder: string;
  /** Default public port (GraphQL, /healthz, internal routes) and admin port (/readyz, /metrics). */
  port: number;
  adminPort: number;
  /** The config keys of those ports, and of the base URL where the gateway and other services reach it. */
  portKey: `${Uppercase<string>}_PORT`;
  adminPortKey: `${Uppercase<string>}_ADMIN_PORT`;
  urlKey: `${Uppercase<string>}_URL`;
  /** Whether it owns a MySQL database with committed migrations in `<folder>/drizzle`. */
  database: boolean;
}

export type Subgraph = (typeof SUBGRAPHS)[number];
export type SubgraphName = Subgraph['name'];
export type SubgraphNamed<N extends SubgraphName> = Extract<Subgraph, { name: N }>;

export const SUBGRAPH_NAMES: readonly SubgraphName[] = SUBGRAPHS.map((subgraph) => subgraph.name);

export const isSubgraphName = (name: string): name is SubgraphName => SUBGRAPH_NAMES.some((known) => known === name);

export function subgraphNamed<N extends SubgraphName>(name: N): SubgraphNamed<N> {
  const found = SUBGRAPHS.find((subgraph): subgraph is SubgraphNamed<N> => subgraph.name === name);
  if (!found) throw new Error(`No subgraph "${name}" in the registry.`);
  return found;
}

/** One value per subgraph, typed by name (Object.fromEntries would lose the keys). */
export function perSubgraph<T>(value: (subgraph: Subgraph) => T): Record<SubgraphName, T> {
  const result: Partial<Record<SubgraphName, T>> = {};
  for (const subgraph of SUBGRAPHS) result[subgraph.name] = value(subgraph);
  return result as Record<SubgraphName, T>;
}

const portNumber = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
type PortNumber = ReturnType<typeof portNumber>;
const baseUrl = (fallback: string) => z.string().url().default(fallback);
type BaseUrl = ReturnType<typeof baseUrl>;

export type SubgraphPortsShape = { [S in Subgraph as S['portKey'] | S['adminPortKey']]: PortNumber } & {
  [S in Subgraph as S['urlKey']]: BaseUrl;
};

/** Each subgraph's port, admin port and URL variables with their registry defaults; part of `servicePortsConfig`. */
export function subgraphPortsShape(): SubgraphPortsShape {
  const shape: Record<string, PortNumber | BaseUrl> = {};
  for (const subgraph of SUBGRAPHS) {
    shape[subgraph.portKey] = portNumber(subgraph.port);
    shape[subgraph.adminPortKey] = portNumber(subgraph.adminPort);
    shape[subgraph.urlKey] = baseUrl(`http://127.0.0.1:${subgraph.port}`);
  }
  return shape as SubgraphPortsShape;
}
