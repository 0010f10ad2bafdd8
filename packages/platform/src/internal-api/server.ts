import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import { ErrorCode } from '../errors';
import { bearerToken, verifiedServices, type InternalSigner } from '../identity';
import type { Logger } from '../logger';
import { noBody, type CallHandler, type InternalApi, type InternalApiHandlers, type InternalCall } from './definition';

export interface MountInternalApiOptions {
  signer: InternalSigner;
  logger: Logger;
}

/**
 * Mounts a service's `/internal/*` API (never routed by the gateway) from its definition:
 * a service token from one of the API's callers (401 otherwise; 403 for a call that caller
 * may not make), the request validated against the call's schema (400), the handler's value
 * as 200 and its refusals with the status the definition gives them, and a 500 without
 * details for anything unexpected.
 */
export function mountInternalApi<A extends InternalApi>(app: Express, api: A, handlers: InternalApiHandlers<A>, { signer, logger }: MountInternalApiOptions): void {
  const log = logger.child({ component: `${api.service}-internal-api` });
  const calls: Array<[string, InternalCall]> = Object.entries(api.calls);
  const anyCaller = new Set(calls.flatMap(([, call]) => call.callers));
  // A caller reuses its service token for 30 s (reusedServiceToken): its HMAC is checked once.
  const verifyService = verifiedServices(signer);
  const router: Router = express.Router();
  router.use(express.json({ limit: api.bodyLimit }));
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const token = bearerToken(req.header('authorization'));
    try {
      const service = token ? await verifyService(token) : null;
      if (service && anyCaller.has(service)) {
        res.locals.caller = service;
        return next();
      }
    } catch {
      // fall through to the refusal
    }
    res.status(401).json({ code: ErrorCode.UNAUTHENTICATED, message: 'A service token is required.' });
  });

  for (const [name, call] of calls) {
    const handler = (handlers as Record<string, CallHandler<InternalCall>>)[name];
    if (!handler) throw new Error(`${api.name}: no handler for ${name}.`);
    const route = async (req: Request, res: Response, next: NextFunction) => {
      const caller = String(res.locals.caller);
      if (!call.callers.includes(caller)) {
        res.status(403).json({ code: ErrorCode.FORBIDDEN, message: `The ${caller} service may not call ${name}.` });
        return;
      }
      const body = call.request.safeParse(call.request === noBody ? undefined : req.body);
      if (!body.success) {
        res.status(400).json({ code: ErrorCode.BAD_USER_INPUT, message: body.error.message });
        return;
      }
      try {
        const result = await handler({ params: req.params as Record<string, string>, body: body.data, caller });
        if (result.ok) {
          res.status(200).json(result.value);
          return;
        }
        const refusal = call.refusals[result.refusal.code];
        if (!refusal) throw new Error(`${name} refused with ${result.refusal.code}, which its definition does not list.`);
        res.status(refusal.status).json(result.refusal);
      } catch (err) {
        next(err);
      }
    };
    if (call.method === 'GET') router.get(call.path, route);
    else router.post(call.path, route);
  }

  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    log.error({ err, path: req.path }, 'An internal API call failed.');
    res.status(500).json({ code: ErrorCode.INTERNAL_SERVER_ERROR });
  });
  app.use(api.prefix, router);
}
