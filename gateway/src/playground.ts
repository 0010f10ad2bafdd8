import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Router, type Request, type Response } from 'express';
import { parse, separateOperations, type DocumentNode } from 'graphql';
import { packageFile, serveAssets } from './static-assets';

/** Where the playground's scripts and styles are served; nothing is loaded from elsewhere. */
export const PLAYGROUND_ASSETS_PATH = '/graphiql/assets';

/** The client contract: the playground's example tabs are its operations, so they stay valid. */
export const CONTRACT_OPERATIONS = path.resolve(__dirname, '..', '..', 'schema', 'contract', 'operations.graphql');

/** The script that hands the page its example tabs (built from the contract, not a file). */
const TABS_SCRIPT = 'playground-tabs.js';

/**
 * Every file the page loads, from the gateway's own npm dependencies: React 18 and GraphiQL 3
 * as UMD builds, graphql-ws's browser build for subscriptions, and the page's own script.
 * The example tabs come first, before the page's script reads them.
 */
const ASSETS: Record<string, string> = {
  'react.production.min.js': packageFile('react', 'umd/react.production.min.js'),
  'react-dom.production.min.js': packageFile('react-dom', 'umd/react-dom.production.min.js'),
  'graphiql.min.js': packageFile('graphiql', 'graphiql.min.js'),
  'graphiql.min.css': packageFile('graphiql', 'graphiql.min.css'),
  'graphql-ws.min.js': packageFile('graphql-ws', 'umd/graphql-ws.min.js'),
  'playground.js': path.resolve(__dirname, '..', 'public', 'playground.js'),
};

const asset = (file: keyof typeof ASSETS) => `${PLAYGROUND_ASSETS_PATH}/${file}`;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>waimai GraphQL playground</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${asset('graphiql.min.css')}" />
    <style>
      html, body, #graphiql { height: 100%; margin: 0; }
    </style>
  </head>
  <body>
    <div id="graphiql">Loading the playground…</div>
    <script src="${asset('react.production.min.js')}"></script>
    <script src="${asset('react-dom.production.min.js')}"></script>
    <script src="${asset('graphiql.min.js')}"></script>
    <script src="${asset('graphql-ws.min.js')}"></script>
    <script src="${PLAYGROUND_ASSETS_PATH}/${TABS_SCRIPT}"></script>
    <script src="${asset('playground.js')}"></script>
  </body>
</html>
`;

// Scripts and styles from this origin only; the page talks to this gateway over HTTP and ws.
// GraphiQL sets inline styles and draws icons as data: images.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** One GraphiQL tab, as GraphiQL's `defaultTabs` takes it (variables and headers as JSON text). */
export interface PlaygroundTab {
  query: string;
  variables: string;
  headers: string;
}

const startOfUtcDay = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
const DAY_MS = 86_400_000;

/**
 * The back office's ready-made operations, opened as tabs after the welcome tab: the contract's
 * operation of each name with example variables. Ids in angle brackets are for staff to fill
 * in from a search; `demo-rider-*` are the riders `pnpm seed` puts online.
 */
export const STAFF_EXAMPLES: ReadonlyArray<{ name: string; variables: (now: Date) => Record<string, unknown> }> = [
  { name: 'OrdersNeedingAttention', variables: () => ({}) },
  { name: 'SearchOrders', variables: () => ({ filter: { needsAttention: true }, first: 20 }) },
  { name: 'RedispatchOrder', variables: () => ({ orderId: '<id of a flagged order, from SearchOrders>', reason: '无人接单，指派给附近骑手', riderIds: ['demo-rider-2'] }) },
  { name: 'ReassignOrder', variables: () => ({ orderId: '<id of a DELIVERING order>', riderId: 'demo-rider-3', reason: '原骑手车辆故障，改派' }) },
  { name: 'CancelOrderAsStaff', variables: () => ({ orderId: '<id of an order not yet delivered>', reason: '商家临时停业，已致电顾客' }) },
  {
    name: 'CompensateOrder',
    variables: () => ({ orderId: '<id of a paid order>', amountCents: 500, reason: '餐品洒漏，补偿 5 元', idempotencyKey: '<any key; the same key pays once>' }),
  },
  { name: 'SuspendRider', variables: () => ({ riderId: 'demo-rider-4', reason: '多次投诉，暂停接单' }) },
  { name: 'SuspendMerchant', variables: () => ({ merchantId: '<id of a shop, from NearbyMerchants>', reason: '卫生检查未通过，暂停营业' }) },
  { name: 'AuditLog', variables: () => ({ filter: { targetType: 'ORDER' }, first: 20 }) },
  {
    name: 'BusinessFigures',
    variables: (now) => ({ from: startOfUtcDay(now).toISOString(), to: new Date(startOfUtcDay(now).getTime() + DAY_MS).toISOString(), bucket: 'HOUR' }),
  },
  { name: 'WatchOrderOffers', variables: () => ({}) },
  { name: 'WatchRider', variables: () => ({ riderId: 'demo-rider-1' }) },
  { name: 'DispatchActivity', variables: () => ({}) },
];

const STAFF_HEADERS = JSON.stringify({ Authorization: 'Bearer <OPERATOR or ADMIN token: pnpm seed prints one of each>' }, null, 2);

/** The comment lines right above `offset` in `source` (the contract documents each operation so). */
function commentAbove(source: string, offset: number): string[] {
  const lines = source.slice(0, offset).split('\n');
  lines.pop();
  const comment: string[] = [];
  for (let line = lines.pop(); line !== undefined && line.startsWith('#'); line = lines.pop()) comment.unshift(line);
  return comment;
}

/**
 * The staff example tabs from the contract's text: each operation as written there (with the
 * fragments it uses and the comment above it, which states roles and errors). An example the
 * contract does not have (renamed, or not yet added) is left out rather than shown broken;
 * tests/gateway/playground.test.ts names every example, so a missing one fails there.
 */
export function staffExampleTabs(contractSource: string, now = new Date()): PlaygroundTab[] {
  const operations: Record<string, DocumentNode> = separateOperations(parse(contractSource));
  return STAFF_EXAMPLES.flatMap(({ name, variables }) => {
    const document = operations[name];
    if (!document) return [];
    const parts = document.definitions.map((definition) => {
      const { start, end } = definition.loc!;
      const text = contractSource.slice(start, end);
      return definition.kind === 'OperationDefinition' ? [...commentAbove(contractSource, start), text].join('\n') : text;
    });
    const query = ['# Back office (staff). Put an OPERATOR or ADMIN token in Headers below.', '#', ...parts].join('\n');
    return [{ query: `${query}\n`, variables: JSON.stringify(variables(now), null, 2), headers: STAFF_HEADERS }];
  });
}

/** GET requests whose client prefers HTML (a browser) get the page; everything else is GraphQL. */
export function wantsPlayground(req: Request): boolean {
  return req.method === 'GET' && req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html';
}

export function sendPlayground(res: Response): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('Cache-Control', 'no-cache');
  res.type('html').send(PAGE);
}

/**
 * Serves the playground's assets under /graphiql/assets, and its example tabs, built from the
 * contract at `contractFile` (read once: it ships with the gateway and changes only with a deploy).
 */
export function playgroundAssets(contractFile = CONTRACT_OPERATIONS): Router {
  const contract = readFileSync(contractFile, 'utf8');
  const router = Router();
  router.get(`${PLAYGROUND_ASSETS_PATH}/${TABS_SCRIPT}`, (_req, res) => {
    // Not cached: the figures example covers the current day.
    res.setHeader('Cache-Control', 'no-cache');
    res.type('application/javascript').send(`window.waimaiPlaygroundTabs = ${JSON.stringify(staffExampleTabs(contract))};\n`);
  });
  // 1 h: assets change only with a deploy; the page itself is never cached.
  serveAssets(router, PLAYGROUND_ASSETS_PATH, ASSETS, 'playground', { maxAge: 3_600_000 });
  return router;
}
