import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import path from 'node:path';
import { kafkaConfig, mysqlConfig, redisConfig } from '@waimai/platform';
import { ensureRunIsolation } from '@waimai/testkit/run-env';
import { ensureKafka } from './lib/kafka-broker';
import { ROOT } from './lib/paths';
import { preflight } from './lib/preflight';
import { configOrExit, loadDotEnv, messageOf, scriptLog } from './lib/script-env';

/**
 * `pnpm test [jest args]`: checks MySQL and Redis, makes sure Kafka runs (starting a local
 * broker when it can), gives this run its own databases, keys and topics, runs jest (every
 * test, then the fault suite alone; with arguments, what they select) and stops the broker
 * it started.
 */
const FAULT_SUITE = 'tests/faults';

async function main(): Promise<number> {
  loadDotEnv();
  const log = scriptLog('test');
  const config = configOrExit(mysqlConfig.extend(redisConfig.shape).extend(kafkaConfig.shape), log);
  const problems = await preflight(config);
  if (problems.length) {
    for (const problem of problems) log.error(problem);
    return 1;
  }
  const kafka = await ensureKafka({ brokers: config.KAFKA_BROKERS, logger: log });
  try {
    const run = ensureRunIsolation(process.env);
    log.info(`Test run ${run}: databases ${process.env.DB_PREFIX}_*, Redis keys ${process.env.REDIS_KEY_PREFIX}*, topics ${process.env.KAFKA_TOPIC_PREFIX}*.`);
    const args = process.argv.slice(2);
    if (args[0] === '--') args.shift();
    // The fault suite's files each run a whole platform (twelve processes and HAProxy for the
    // replica one): one at a time, never side by side on a small machine.
    const inBand = (selection: string[]) => ['--runInBand', ...selection];
    if (args.length > 0) return await runJest(args.some((arg) => arg.replace(/^\.\//, '').startsWith(FAULT_SUITE)) ? inBand(args) : args);
    // The fault suite kills and restarts whole service processes under load: it runs after
    // the other tests, alone, so that their timings do not suffer from it nor it from them.
    const code = await runJest(['--testPathIgnorePatterns', '/node_modules/', '/tests/faults/']);
    if (code !== 0) return code;
    log.info('The fault suite (tests/faults), alone.');
    return await runJest(inBand([FAULT_SUITE]));
  } finally {
    await kafka.stop();
  }
}

function runJest(args: string[]): Promise<number> {
  const jest = spawn(path.join(ROOT, 'node_modules', '.bin', 'jest'), args, { cwd: ROOT, stdio: 'inherit', env: process.env });
  // Ctrl-C reaches jest from the terminal too; a SIGTERM (CI timeout) is passed on so the broker still stops.
  const forward = (signal: NodeJS.Signals) => {
    if (jest.exitCode === null && jest.signalCode === null) jest.kill(signal);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, forward);
  return new Promise((resolve, reject) => {
    jest.once('error', reject);
    jest.once('exit', (code, signal) => {
      for (const signal of signals) process.removeListener(signal, forward);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    scriptLog('test').error(messageOf(err));
    process.exit(1);
  },
);
