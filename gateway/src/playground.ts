import { existsSync } from 'node:fs';
import path from 'node:path';
import { Router, type Request, type Response } from 'express';

/** Where the playground's scripts and styles are served; nothing is loaded from elsewhere. */
export const PLAYGROUND_ASSETS_PATH = '/graphiql/assets';

function packageFile(packageName: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${packageName}/package.json`)), file);
}

/**
 * Every file the page loads, from the gateway's own npm dependencies: React 18 and GraphiQL 3
 * as UMD builds, graphql-ws's browser build for subscriptions, and the page's own script.
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

/** GET requests whose client prefers HTML (a browser) get the page; everything else is GraphQL. */
export function wantsPlayground(req: Request): boolean {
  return req.method === 'GET' && req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html';
}

export function sendPlayground(res: Response): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('Cache-Control', 'no-cache');
  res.type('html').send(PAGE);
}

/** Serves the playground's assets under /graphiql/assets. */
export function playgroundAssets(): Router {
  for (const [name, file] of Object.entries(ASSETS)) {
    if (!existsSync(file)) throw new Error(`The playground asset ${name} is missing at ${file}; run pnpm install.`);
  }
  const router = Router();
  router.get(`${PLAYGROUND_ASSETS_PATH}/:file`, (req, res, next) => {
    const file = ASSETS[req.params.file];
    if (!file) {
      next();
      return;
    }
    // 1 h: assets change only with a deploy; the page itself is never cached. pnpm keeps
    // packages under node_modules/.pnpm, which send() would refuse as a dotfile path.
    res.sendFile(file, { maxAge: 3_600_000, dotfiles: 'allow' });
  });
  return router;
}
