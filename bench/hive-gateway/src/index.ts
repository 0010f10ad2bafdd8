/**
 * The peer gateway of the bench's `reads` scenario: Hive Gateway's runtime
 * (@graphql-hive/gateway-runtime, what the `hive-gateway` CLI of @graphql-hive/gateway runs)
 * on the same supergraph file as ours, in one Node process like ours, with the identity
 * forwarded the same way: the client's bearer JWT verified with the platform's
 * createTokenVerifier, once per request, and the subgraphs' `x-waimai-identity` signed with
 * the platform's createInternalSigner, one signed token per caller reused for
 * IDENTITY_CACHE_SECONDS (30 s), as our gateway's createIdentityForwarder (platform) does
 * (lib/identity.ts). Everything else is Hive Gateway's defaults.
 *
 * Environment (set by the bench): HIVE_GATEWAY_PORT, HIVE_GATEWAY_ADMIN_PORT, SUPERGRAPH_PATH,
 * JWT_SECRET, INTERNAL_SECRET, the subgraphs' URL keys (PRODUCTS_URL, ...).
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { bearerToken, createTokenVerifier, IDENTITY_HEADER, InvalidTokenError, SUBGRAPHS, type Caller } from '@waimai/platform';
import { identityForwarder } from '../../lib/identity';

/** The parts of Hive Gateway's runtime used here (its own declarations are kept out: see `load`). */
interface FetchHookPayload {
  context: { request?: Request } | object;
  options: { headers?: unknown };
  setOptions(options: Record<string, unknown>): void;
}
interface HivePlugin {
  onFetch?(payload: FetchHookPayload): Promise<void> | void;
}
type HiveRuntime = http.RequestListener & { getSchema(): unknown; dispose(): unknown };
interface HiveRuntimeModule {
  createGatewayRuntime(config: {
    supergraph: string;
    graphqlEndpoint: string;
    landingPage: boolean;
    logging: string;
    transports: Record<string, unknown>;
    plugins(): HivePlugin[];
  }): HiveRuntime;
}

/**
 * Loads Hive Gateway untyped: the declarations of its Yoga server augment graphql's
 * GraphQLErrorExtensions (`http.headers` as a plain record), and `tsc -p tsconfig.json` checks
 * this file with the gateway's, whose Apollo errors carry a HeaderMap there.
 */
const load = createRequire(__filename);
const { createGatewayRuntime } = load('@graphql-hive/gateway-runtime') as HiveRuntimeModule;
const httpTransport = load('@graphql-mesh/transport-http') as unknown;

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set.`);
  return value;
};

const port = Number(env('HIVE_GATEWAY_PORT'));
const adminPort = Number(env('HIVE_GATEWAY_ADMIN_PORT'));

/** The supergraph with each subgraph's URL taken from the environment, as our gateway takes them from its config. */
function supergraphSdl(): string {
  let sdl = readFileSync(env('SUPERGRAPH_PATH'), 'utf8');
  for (const { name, urlKey } of SUBGRAPHS) {
    const url = `${env(urlKey).replace(/\/+$/, '')}/graphql`;
    sdl = sdl.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`), `$1${url}$2`);
  }
  return sdl;
}

const verifyToken = createTokenVerifier({
  JWT_SECRET: env('JWT_SECRET'),
  JWT_ISSUER: process.env.JWT_ISSUER,
  JWT_AUDIENCE: process.env.JWT_AUDIENCE,
  JWT_MAX_LIFETIME_SECONDS: Number(env('JWT_MAX_LIFETIME_SECONDS', String(24 * 60 * 60))),
});
const forwardedIdentity = identityForwarder(env('INTERNAL_SECRET'), Number(env('IDENTITY_CACHE_SECONDS', '30')));

/** One caller per client request (an invalid token: anonymous, as ours), verified at its first subgraph fetch and reused by the others. */
function identityForwarding(): HivePlugin {
  const callers = new WeakMap<object, Promise<Caller>>();
  const callerOf = (request: Request): Promise<Caller> => {
    let caller = callers.get(request);
    if (!caller) {
      const token = bearerToken(request.headers.get('authorization'));
      caller = token
        ? verifyToken(token).catch((err: unknown) => {
            if (err instanceof InvalidTokenError) return null;
            throw err;
          })
        : Promise.resolve(null);
      callers.set(request, caller);
    }
    return caller;
  };
  return {
    async onFetch({ context, options, setOptions }) {
      const request = 'request' in context ? (context.request as Request | undefined) : undefined;
      const caller = request ? await callerOf(request) : null;
      setOptions({ ...options, headers: { ...(options.headers as Record<string, string> | undefined), [IDENTITY_HEADER]: await forwardedIdentity(caller) } });
    },
  };
}

const runtime = createGatewayRuntime({
  supergraph: supergraphSdl(),
  graphqlEndpoint: '/graphql',
  landingPage: false,
  logging: 'error',
  // The HTTP transport to the subgraphs, as the hive-gateway CLI bundles it (the runtime alone would require() it from its own folder).
  transports: { http: httpTransport },
  plugins: () => [identityForwarding()],
});

const server = http.createServer(runtime);
let ready = false;
const admin = http.createServer((req, res) => {
  res.writeHead(req.url === '/readyz' && ready ? 200 : 503).end();
});

async function main(): Promise<void> {
  await new Promise<void>((resolve) => admin.listen(adminPort, '127.0.0.1', resolve));
  await runtime.getSchema();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  ready = true;
  process.stdout.write(`hive-gateway: listening on 127.0.0.1:${port}\n`);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.closeAllConnections();
    server.close();
    admin.close();
    void Promise.resolve(runtime.dispose()).finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`hive-gateway: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
