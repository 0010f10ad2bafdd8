import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import cors from 'cors';
import proxyAddr from 'proxy-addr';
import { answerRequestError, jsonBodyReader, sendJson, serveGraphQLRequest, type Logger } from '@waimai/platform';
import type { CallerResolver, GatewayContext } from './caller';
import { corsOptions } from './cors';
import type { DocumentGuard } from './limits';
import { callerBudget, type RateLimits } from './rate-limits';
import { documentOf, documentVerdicts, rateLimitedBody, refusalBody } from './request-policy';
import { trustedBody } from './trusted-documents';

export interface GraphQLHttpOptions {
  server: ApolloServer<GatewayContext>;
  callers: CallerResolver;
  guard: DocumentGuard;
  /** The trusted documents by hash when only they run (TRUSTED_DOCUMENTS), else null. */
  trusted: Map<string, string> | null;
  rateLimits: RateLimits;
  corsOrigins: readonly string[];
  /** Proxies whose X-Forwarded-For is believed (express's "trust proxy" hop count). */
  trustProxyHops: number;
  maxRequestBytes: number;
  logger: Logger;
}

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Runs a connect-style middleware: true when it passed the request on, false when it answered it. */
function passes(middleware: Middleware, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let passed = false;
    middleware(req, res, (err) => {
      passed = true;
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve(true);
    });
    if (!passed && res.writableEnded) resolve(false);
  });
}

/**
 * GraphQL over HTTP at /graphql, on plain node request and response objects (the public
 * server sends POST /graphql here without express; other methods come through express, to
 * the same handler). In order, each step answering and stopping when it refuses:
 * - CORS for the allowed origins (preflights answered here);
 * - the caller from `Authorization` (none, or not valid: anonymous) and the client's IP;
 * - the caller's general rate budget, before the body is read (429, Retry-After);
 * - the JSON body, as express.json reads it (413 over MAX_REQUEST_BYTES, 4xx when malformed);
 * - with TRUSTED_DOCUMENTS, only the manifest's documents (400 otherwise);
 * - the document's limits, before Apollo Server validates it (400 BAD_REQUEST);
 * - Apollo Server, through the supergraph.
 */
export function graphqlHttpHandler(options: GraphQLHttpOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { server, callers, trusted, rateLimits, logger } = options;
  const log = logger.child({ component: 'http' });
  const allowOrigins = cors(corsOptions(options.corsOrigins)) as Middleware;
  const readBody = jsonBodyReader(options.maxRequestBytes);
  const verdictOn = documentVerdicts(options.guard);
  // express's "trust proxy" with a hop count, as the websocket side computes it too.
  const trustProxy = (_address: string, hop: number) => hop < options.trustProxyHops;

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    if (!(await passes(allowOrigins, req, res))) return;
    const caller = await callers.callerFrom(req.headers.authorization);
    const clientIp = proxyAddr(req, trustProxy);
    const { budget, key } = callerBudget(caller, clientIp);
    const retryAfter = await rateLimits.take(budget, key);
    if (retryAfter !== null) {
      sendJson(res, 429, rateLimitedBody(retryAfter), { 'retry-after': String(retryAfter) });
      return;
    }
    let body = await readBody(req, res);
    if (trusted) {
      const resolution = trustedBody(trusted, body);
      if ('refused' in resolution) {
        sendJson(res, 400, { errors: [{ message: resolution.refused.message, extensions: { code: resolution.refused.code } }] });
        return;
      }
      body = resolution.body;
    }
    const url = req.url ?? '';
    const source = documentOf(body, url.includes('?') ? url.slice(url.indexOf('?')) : '');
    const refused = source === undefined ? null : verdictOn(source);
    if (refused) {
      sendJson(res, 400, refusalBody(refused));
      return;
    }
    await serveGraphQLRequest(server, req, res, body, async () => ({ caller, clientIp, origin: 'http' as const }));
  };

  return (req, res) => {
    serve(req, res).catch((err: unknown) => answerRequestError(err, req, res, log));
  };
}
