import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { buildManifest } from './trusted-documents';
import { CONTRACT_OPERATIONS } from './playground';
import { packageFile, serveAssets } from './static-assets';

/** Where staff open the operations console. */
export const CONSOLE_PATH = '/console';
const ASSETS_PATH = `${CONSOLE_PATH}/assets`;

const PUBLIC_DIR = path.resolve(__dirname, '..', 'public', 'console');

/**
 * Every file the console loads, served by the gateway: its own script and styles (hand-written,
 * no build step) and graphql-ws's browser build for the subscriptions. Nothing comes from
 * another origin, so it works with no internet.
 */
const ASSETS: Record<string, string> = {
  'console.js': path.join(PUBLIC_DIR, 'console.js'),
  'console.css': path.join(PUBLIC_DIR, 'console.css'),
  'graphql-ws.min.js': packageFile('graphql-ws', 'umd/graphql-ws.min.js'),
};

/** The script that hands the page the contract's operations it runs, by name. */
const OPERATIONS_SCRIPT = 'operations.js';

/**
 * The contract operations the console sends, and nothing else: the same public API (and, under
 * TRUSTED_DOCUMENTS, the same trusted documents) as any other client. Each is sent as the
 * manifest prints it, so its sha256 is the one the manifest lists.
 */
export const CONSOLE_OPERATIONS = [
  'SearchRiders',
  'SearchMerchants',
  'OrdersOnMap',
  'OrderInfo',
  'AuditLog',
  'RiderTrail',
  'BusinessFigures',
  'RedispatchOrder',
  'ReassignOrder',
  'CancelOrderAsStaff',
  'CompensateOrder',
  'OrdersNeedingAttention',
  'DispatchActivity',
] as const;

export type ConsoleOperationName = (typeof CONSOLE_OPERATIONS)[number];

/** The console's operations from the contract's text: name → { type, body } as the trusted-documents manifest prints them. */
export function consoleOperations(contractSource: string): Record<ConsoleOperationName, { type: string; body: string }> {
  const byName = new Map(buildManifest(contractSource).operations.map((operation) => [operation.name, operation]));
  const missing = CONSOLE_OPERATIONS.filter((name) => !byName.has(name));
  if (missing.length) throw new Error(`The console needs contract operations that ${CONTRACT_OPERATIONS} lacks: ${missing.join(', ')}.`);
  return Object.fromEntries(
    CONSOLE_OPERATIONS.map((name) => {
      const { type, body } = byName.get(name)!;
      return [name, { type, body }];
    }),
  ) as Record<ConsoleOperationName, { type: string; body: string }>;
}

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>waimai operations console</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${ASSETS_PATH}/console.css" />
  </head>
  <body>
    <header class="bar">
      <h1>waimai · operations console</h1>
      <div id="who" class="who"></div>
    </header>
    <section id="sign-in" class="sign-in">
      <form id="sign-in-form">
        <h2>Sign in</h2>
        <p>Paste an OPERATOR or ADMIN token (<code>pnpm token --sub you --roles OPERATOR</code>).</p>
        <label>Token <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required /></label>
        <button type="submit">Sign in</button>
        <p id="sign-in-error" class="error" role="alert"></p>
      </form>
    </section>
    <main id="console" class="console" hidden>
      <section class="map-panel">
        <div class="map-tools">
          <span id="map-counts" class="counts"></span>
          <button id="fit" type="button">Fit to city</button>
        </div>
        <svg id="map" class="map" role="img" aria-label="Map of the city"></svg>
        <div class="legend">
          <span><i class="dot rider-IDLE"></i>idle rider</span>
          <span><i class="dot rider-DELIVERING"></i>delivering rider</span>
          <span><i class="dot rider-silent"></i>rider silent for over a minute</span>
          <span><i class="sq shop"></i>shop</span>
          <span><i class="dot order-waiting"></i>order waiting for a rider</span>
          <span><i class="dot order-moving"></i>order on its way</span>
          <span><i class="dot order-late"></i>late</span>
          <span><i class="ring attention"></i>needs attention</span>
        </div>
      </section>
      <aside class="side">
        <section class="panel">
          <h2>Last hour</h2>
          <div id="figures" class="figures">Loading…</div>
        </section>
        <section class="panel">
          <h2>Needs attention <span id="attention-count" class="badge">0</span></h2>
          <ul id="attention" class="attention"></ul>
        </section>
        <section id="detail" class="panel detail" hidden></section>
      </aside>
    </main>
    <p id="status" class="status" role="status"></p>
    <script src="${ASSETS_PATH}/graphql-ws.min.js"></script>
    <script src="${ASSETS_PATH}/${OPERATIONS_SCRIPT}"></script>
    <script src="${ASSETS_PATH}/console.js"></script>
  </body>
</html>
`;

// Same origin only, no inline script or style: the page talks to this gateway over HTTP and ws.
// The map is SVG drawn by the script (attributes, not style="").
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * GET /console: the operations console page and its assets. The page holds no data: it signs
 * staff in with their token and reads everything through /graphql and its subscriptions.
 */
export function consoleRoutes(contractFile = CONTRACT_OPERATIONS): Router {
  // Read once: the contract ships with the gateway and changes only with a deploy.
  const operationsScript = `window.waimaiConsoleOperations = ${JSON.stringify(consoleOperations(readFileSync(contractFile, 'utf8')))};\n`;
  const router = Router();
  router.get(CONSOLE_PATH, (_req, res) => {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.type('html').send(PAGE);
  });
  router.get(`${ASSETS_PATH}/${OPERATIONS_SCRIPT}`, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('application/javascript').send(operationsScript);
  });
  // no-cache: revalidated (ETag) on each load, so a deploy's new script is never mixed with an old page.
  serveAssets(router, ASSETS_PATH, ASSETS, 'console', { headers: { 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' } });
  return router;
}
