import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createProxyMiddleware, debugProxyErrorsPlugin, proxyEventsPlugin, type RequestHandler } from 'http-proxy-middleware';
import type { RequestHandler as ExpressHandler } from 'express';
import { currentRequestId, REQUEST_ID_HEADER, type Logger } from '@waimai/platform';

export const WEBHOOKS_PATH = '/webhooks';
/** Payment providers call `/webhooks/payments/<provider>`; nothing else under /webhooks exists (JSON 404). */
const PAYMENT_WEBHOOKS = `${WEBHOOKS_PATH}/payments/`;

/**
 * A /webhooks path that is not valid percent-encoding answers JSON 400 here: the services
 * behind would fail to decode it.
 */
export const refuseMalformedPaths: ExpressHandler = (req, res, next) => {
  try {
    decodeURIComponent(req.path);
  } catch {
    res.status(400).json({ errors: [{ message: 'The path is not valid percent-encoding.', extensions: { code: 'BAD_REQUEST' } }] });
    return;
  }
  next();
};

/** How long a kept-alive connection to payments may stay idle: under payments' server's 5 s. */
const IDLE_CONNECTION_MS = 4_000;

function isResponse(res: ServerResponse | Socket): res is ServerResponse {
  return 'writeHead' in res;
}

/**
 * Forwards `/webhooks/*` to the payments service at the same path, streaming the body
 * byte for byte and leaving the headers as the provider sent them: the provider signs the
 * raw body (HMAC), so nothing here may parse or re-encode it. Mount it before any body parser.
 *
 * When payments cannot be reached the provider gets 502 (504 when it stopped answering),
 * so it retries later; it never learns where payments lives.
 *
 * Over kept-alive connections: without an agent http-proxy opens a connection per callback
 * and closes it (`connection: close`). An idle connection is dropped after 4 s, before
 * payments' server would drop it (Node's 5 s), so a callback is never sent on a closing one.
 */
export function webhookProxy(paymentsUrl: string, timeoutMs: number, logger: Logger): RequestHandler {
  const log = logger.child({ component: 'webhooks' });
  return createProxyMiddleware<IncomingMessage, ServerResponse>({
    target: paymentsUrl,
    agent: new Agent({ keepAlive: true, timeout: IDLE_CONNECTION_MS }),
    pathFilter: (pathname) => pathname.startsWith(PAYMENT_WEBHOOKS) && pathname.length > PAYMENT_WEBHOOKS.length,
    changeOrigin: false,
    xfwd: false,
    proxyTimeout: timeoutMs,
    timeout: timeoutMs,
    // The default error plugin answers in plain text; this one answers JSON and logs.
    ejectPlugins: true,
    plugins: [debugProxyErrorsPlugin, proxyEventsPlugin],
    on: {
      // Payments' log lines of this webhook name the gateway's request id; the signed body is untouched.
      proxyReq(proxyReq) {
        const requestId = currentRequestId();
        if (requestId) proxyReq.setHeader(REQUEST_ID_HEADER, requestId);
      },
      error(err, req, res) {
        const code = (err as NodeJS.ErrnoException).code;
        const timedOut = code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT';
        log.warn({ err, path: req.url, code }, 'A webhook could not be forwarded to the payments service.');
        if (!isResponse(res)) {
          res.destroy();
          return;
        }
        if (!res.headersSent) {
          res.writeHead(timedOut ? 504 : 502, { 'content-type': 'application/json; charset=utf-8' });
        }
        res.end(JSON.stringify({ error: 'The payments service is not reachable; retry later.' }));
      },
    },
  });
}
