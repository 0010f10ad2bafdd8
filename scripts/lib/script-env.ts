import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, parseConfig, type z } from '@waimai/platform';
import { ROOT } from './paths';

/**
 * Loads `.env` from the workspace root when there is one. Variables already set in the
 * environment win, so `KAFKA_BROKERS=... pnpm start` overrides the file.
 */
export function loadDotEnv(): void {
  const file = path.join(ROOT, '.env');
  if (existsSync(file)) process.loadEnvFile(file);
}

/** What a script says to a person: one line each, on stderr, so stdout stays for results. */
export interface ScriptLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function scriptLog(name: string): ScriptLog {
  const write = (prefix: string, message: string) => process.stderr.write(`${prefix}${name}: ${message}\n`);
  return {
    info: (message) => write('', message),
    warn: (message) => write('warning: ', message),
    error: (message) => write('error: ', message),
  };
}

/** Parses the environment with `schema`; on problems prints every one of them and exits 1. */
export function configOrExit<S extends z.ZodType>(schema: S, log: ScriptLog): z.infer<S> {
  try {
    return parseConfig(schema, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      log.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

/** The message of anything thrown, with its cause (fetch's "fetch failed" says nothing alone). */
export function messageOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message;
}
