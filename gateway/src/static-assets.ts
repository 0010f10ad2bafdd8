import path from 'node:path';
import { existsSync } from 'node:fs';
import type { Router } from 'express';

/** A file shipped inside one of the gateway's npm dependencies. */
export function packageFile(packageName: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${packageName}/package.json`)), file);
}

/**
 * Serves `files` (name → path on disk) at `<basePath>/<name>` on `router`, and nothing else
 * there (other names fall through). Every file must exist when the gateway starts: a missing
 * one is a broken install, said at once rather than as a 404 in a browser.
 */
export function serveAssets(router: Router, basePath: string, files: Readonly<Record<string, string>>, what: string, sendOptions: { maxAge?: number; headers?: Record<string, string> }): void {
  for (const [name, file] of Object.entries(files)) {
    if (!existsSync(file)) throw new Error(`The ${what} asset ${name} is missing at ${file}; run pnpm install.`);
  }
  router.get(`${basePath}/:file`, (req, res, next) => {
    const file = files[req.params.file as string];
    if (!file) {
      next();
      return;
    }
    // pnpm keeps packages under node_modules/.pnpm, which send() would refuse as a dotfile path.
    res.sendFile(file, { ...sendOptions, dotfiles: 'allow' });
  });
}
