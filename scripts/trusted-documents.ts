import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildManifest } from '@waimai/gateway';
import { contractOperationsPath, ROOT } from './lib/supergraph';

/**
 * `pnpm trusted-documents`: writes schema/contract/trusted-documents.json, the manifest of the
 * contract's operations by sha256 that the gateway runs alone under TRUSTED_DOCUMENTS=true.
 */
export const TRUSTED_DOCUMENTS_PATH = path.join(ROOT, 'schema', 'contract', 'trusted-documents.json');

export function trustedDocumentsJson(): string {
  return `${JSON.stringify(buildManifest(readFileSync(contractOperationsPath(), 'utf8')), null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(TRUSTED_DOCUMENTS_PATH, trustedDocumentsJson());
  process.stdout.write(`Wrote ${path.relative(ROOT, TRUSTED_DOCUMENTS_PATH)}.\n`);
}
