import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createProxyMiddleware, debugProxyErrorsPlugin, proxyEventsPlugin, type RequestHandler } from 'http-proxy-middleware';
import type { Logger } from '@waimai/platform';

export const WEBHOOKS_PATH = '/webhooks';

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
 */
export function webhookProxy(paymentsUrl: string, timeoutMs: number, logger: Logger): RequestHandler {
  const log = logger.child({ component: 'webhooks' });
  return createProxyMiddleware<IncomingMessage, ServerResponse>({
    target: paymentsUrl,
    pathFilter: (pathname) => pathname === WEBHOOKS_PATH || pathname.startsWith(`${WEBHOOKS_PATH}/`),
    changeOrigin: false,
    xfwd: false,
    proxyTimeout: timeoutMs,
    timeout: timeoutMs,
    // The default error plugin answers in plain text; this one answers JSON and logs.
    ejectPlugins: true,
    plugins: [debugProxyErrorsPlugin, proxyEventsPlugin],
    on: {
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
