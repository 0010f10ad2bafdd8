import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { ErrorCode } from './errors';
import { bearerToken, type InternalSigner } from './identity';
import type { Logger } from './logger';

export interface InternalRouterOptions {
  signer: InternalSigner;
  /** Services whose token this API accepts (the `sub` of their service token). */
  clients: ReadonlySet<string>;
  logger: Logger;
  /** Largest JSON body, e.g. '64kb'. */
  bodyLimit: string;
}

/**
 * A router for a service's `/internal/*` API (never routed by the gateway): JSON bodies, a
 * service token from one of `clients` (401 otherwise), and a 500 without details for
 * anything unexpected. `use` the router's routes, then `finish` it to add the error handler.
 */
export function internalRouter({ signer, clients, logger, bodyLimit }: InternalRouterOptions) {
  const router: Router = express.Router();
  router.use(express.json({ limit: bodyLimit }));
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const token = bearerToken(req.header('authorization'));
    try {
      const service = token ? await signer.verifyService(token) : null;
      if (service && clients.has(service)) return next();
    } catch {
      // fall through to the refusal
    }
    res.status(401).json({ code: ErrorCode.UNAUTHENTICATED, message: 'A service token is required.' });
  });
  return {
    router,
    finish(): Router {
      router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
        logger.error({ err, path: req.path }, 'An internal API call failed.');
        res.status(500).json({ code: ErrorCode.INTERNAL_SERVER_ERROR });
      });
      return router;
    },
  };
}
