import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';
import { match, type MatchFunction } from 'path-to-regexp';
import { ErrorCode } from '../errors';
import { jsonBodyReader, pathMatcher, sendJson, serveWithoutExpress } from '../http';
import { bearerToken, verifiedServices, type InternalSigner } from '../identity';
import type { Logger } from '../logger';
import { internalApiCalls } from '../metrics';
import { noBody, type CallHandler, type InternalApi, type InternalApiHandlers, type InternalCall } from './definition';

export interface MountInternalApiOptions {
  signer: InternalSigner;
  logger: Logger;
}

/** One call's route: its method and its path below the API's prefix, matched as express's router matches it. */
interface Route {
  name: string;
  call: InternalCall;
  handler: CallHandler<InternalCall>;
  /** path-to-regexp, as express's router uses it: any case, an optional trailing slash, parameters percent-decoded. */
  match: MatchFunction<Record<string, string>>;
  /** waimai_internal_api_calls_total for this call, its labels bound once. */
  counted: { inc(): void };
}

/** A request the API refuses before any handler runs: its status and body. */
class Refused extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`refused with ${status}`);
  }
}

/**
 * A service's `/internal/*` API (never routed by the gateway) from its definition, on plain
 * node request and response objects:
 * - a service token from one of the API's callers (401 otherwise; 403 for a call that caller
 *   may not make);
 * - the call found by method and path (404 when none is);
 * - the JSON body read as express.json reads it (413 over the API's bodyLimit, 400 when it is
 *   not JSON) and validated against the call's schema (400);
 * - the handler's value as 200 and its refusals with the status the definition gives them;
 * - a 500 without details for anything unexpected.
 */
export function internalApiListener<A extends InternalApi>(api: A, handlers: InternalApiHandlers<A>, { signer, logger }: MountInternalApiOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const log = logger.child({ component: `${api.service}-internal-api` });
  const routes: Route[] = Object.entries(api.calls).map(([name, call]) => {
    const handler = (handlers as Record<string, CallHandler<InternalCall>>)[name];
    if (!handler) throw new Error(`${api.name}: no handler for ${name}.`);
    return { name, call, handler, match: match<Record<string, string>>(call.path, { sensitive: false, trailing: true }), counted: internalApiCalls.labels({ service: api.service, call: name }) };
  });
  const anyCaller = new Set(routes.flatMap(({ call }) => call.callers));
  // A caller reuses its service token for 30 s (reusedServiceToken): its HMAC is checked once.
  const verifyService = verifiedServices(signer);
  const readBody = jsonBodyReader(api.bodyLimit);
  const prefixLength = api.prefix.length;

  async function callerOf(req: IncomingMessage): Promise<string> {
    const header = req.headers.authorization;
    const token = bearerToken(typeof header === 'string' ? header : undefined);
    try {
      const service = token ? await verifyService(token) : null;
      if (service && anyCaller.has(service)) return service;
    } catch {
      // the refusal below
    }
    throw new Refused(401, { code: ErrorCode.UNAUTHENTICATED, message: 'A service token is required.' });
  }

  function routeOf(req: IncomingMessage): { route: Route; params: Record<string, string> } {
    // Mounted on express (app.use(prefix)), req.url is below the prefix and originalUrl whole.
    const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    const path = url.split('?', 1)[0]!.slice(prefixLength) || '/';
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    for (const route of routes) {
      if (route.call.method !== method) continue;
      let matched: ReturnType<Route['match']>;
      try {
        matched = route.match(path);
      } catch {
        throw new Refused(400, { code: ErrorCode.BAD_USER_INPUT, message: 'The path is not valid percent-encoding.' });
      }
      if (matched) return { route, params: { ...matched.params } };
    }
    throw new Refused(404, { error: 'Not found.' });
  }

  async function bodyOf(req: IncomingMessage, res: ServerResponse, call: InternalCall): Promise<unknown> {
    if (call.request === noBody) return undefined;
    try {
      return await readBody(req, res);
    } catch (err) {
      const status = (err as { status?: unknown }).status;
      if (status === 413) throw new Refused(413, { code: ErrorCode.BAD_USER_INPUT, message: `The body is larger than ${api.bodyLimit}.` });
      if (typeof status === 'number' && status >= 400 && status < 500) throw new Refused(status, { code: ErrorCode.BAD_USER_INPUT, message: 'The body could not be read; send JSON.' });
      throw err;
    }
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const caller = await callerOf(req);
    const { route, params } = routeOf(req);
    const { name, call, handler, counted } = route;
    if (!call.callers.includes(caller)) throw new Refused(403, { code: ErrorCode.FORBIDDEN, message: `The ${caller} service may not call ${name}.` });
    const body = call.request.safeParse(await bodyOf(req, res, call));
    if (!body.success) throw new Refused(400, { code: ErrorCode.BAD_USER_INPUT, message: body.error.message });
    counted.inc();
    const result = await handler({ params, body: body.data, caller });
    if (result.ok) {
      sendJson(res, 200, result.value);
      return;
    }
    const refusal = call.refusals[result.refusal.code];
    if (!refusal) throw new Error(`${name} refused with ${result.refusal.code}, which its definition does not list.`);
    sendJson(res, refusal.status, result.refusal);
  }

  return (req, res) => {
    serve(req, res).catch((err: unknown) => {
      if (err instanceof Refused) {
        sendJson(res, err.status, err.body);
        return;
      }
      log.error({ err, path: req.url }, 'An internal API call failed.');
      if (res.headersSent) req.socket.destroy();
      else sendJson(res, 500, { code: ErrorCode.INTERNAL_SERVER_ERROR });
    });
  };
}

/**
 * Mounts a service's internal API (internalApiListener) under its prefix: on `app`, and for a
 * server built by withFastPath (every subgraph's) in front of express, which the calls then
 * never go through.
 */
export function mountInternalApi<A extends InternalApi>(app: Express, api: A, handlers: InternalApiHandlers<A>, options: MountInternalApiOptions): void {
  const listener = internalApiListener(api, handlers, options);
  app.use(api.prefix, (req, res) => listener(req, res));
  serveWithoutExpress(app, pathMatcher(api.prefix), listener);
}
