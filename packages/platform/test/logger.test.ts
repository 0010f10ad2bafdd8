import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import express from 'express';
import { createLogger, type LogFormat } from '../src/logger';
import { inSpan, requestIds, SpanKind, startTelemetry, type Telemetry } from '../src/telemetry';

// A context manager is needed for an active span: the SDK with an in-memory exporter gives one.
const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;
beforeAll(() => {
  telemetry = startTelemetry({ service: 'logger-test', spanProcessors: [new SimpleSpanProcessor(exporter)] })!;
});
afterAll(async () => {
  await telemetry.shutdown();
});

function capture(format: LogFormat) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('orders', 'info', { format, destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  return { logger, lines };
}

describe('log lines', () => {
  test('a json line names the service and its version, and inside a span its trace and span id', async () => {
    const { logger, lines } = capture('json');
    logger.info('Outside any span.');
    const ids = await inSpan('work', { kind: SpanKind.INTERNAL }, async () => {
      logger.child({ component: 'dispatcher' }).info({ orderId: 'o-1' }, 'Inside a span.');
      return trace.getActiveSpan()!.spanContext();
    });

    expect(lines[0]).toMatchObject({ service: 'orders', version: expect.any(String), msg: 'Outside any span.' });
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[1]).toMatchObject({ service: 'orders', component: 'dispatcher', orderId: 'o-1', trace_id: ids.traceId, span_id: ids.spanId });
  });

  test('an ecs line has the Elastic Common Schema fields: @timestamp, log.level, message, service.name and .version, trace.id and span.id', async () => {
    const { logger, lines } = capture('ecs');
    const ids = await inSpan('work', { kind: SpanKind.INTERNAL }, async () => {
      logger.warn('Inside a span.');
      return trace.getActiveSpan()!.spanContext();
    });

    expect(lines[0]).toMatchObject({
      '@timestamp': expect.any(String),
      'log.level': 'warn',
      message: 'Inside a span.',
      'service.name': 'orders',
      'service.version': expect.any(String),
      'ecs.version': expect.any(String),
      'trace.id': ids.traceId,
      'span.id': ids.spanId,
    });
  });

  test('a request keeps the x-request-id it came with (or gets one), answers it, and every line logged while serving it names it', async () => {
    const { logger, lines } = capture('json');
    const app = express();
    app.use(requestIds());
    app.post('/echo', express.json(), (req, res) => {
      // After the body arrived: the id must survive the request's later callbacks.
      logger.info('Serving.');
      res.json(req.body);
    });
    const server = app.listen(0);
    try {
      const { port } = server.address() as { port: number };
      const given = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'client-42' }, body: '{"a":1}' });
      const generated = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'not a token {with} spaces' }, body: '{}' });

      expect(given.headers.get('x-request-id')).toBe('client-42');
      expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(lines.map((line) => line.request_id)).toEqual(['client-42', generated.headers.get('x-request-id')]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('outside any request and span a line carries neither ids', () => {
    const { logger, lines } = capture('json');
    logger.info('Idle.');
    expect(lines[0]).not.toHaveProperty('request_id');
    expect(lines[0]).not.toHaveProperty('span_id');
  });
});

describe("the process's stdout stream (LOG_BUFFER_BYTES, LOG_FLUSH_MS)", () => {
  const FIXTURE = path.join(__dirname, 'fixtures', 'logging-process.ts');
  // 60 s: a cold tsx compile on a busy 2-core machine; the logging itself takes milliseconds.
  const RUN_TIMEOUT_MS = 60_000;

  interface Run {
    child: ChildProcess;
    lines: Array<Record<string, unknown>>;
    stderr: () => string;
    /** Resolves with the exit code; rejects (and kills) past RUN_TIMEOUT_MS. */
    exited: Promise<number | null>;
    /** Resolves once `n` lines have arrived. */
    linesArrived: (n: number) => Promise<void>;
  }

  function run(args: string[], env: Record<string, string>): Run {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, ...args], {
      cwd: path.join(__dirname, '..'),
      env: { ...process.env, LOG_FORMAT: 'json', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Array<Record<string, unknown>> = [];
    const waiting: Array<{ n: number; resolve: () => void }> = [];
    let stderr = '';
    let partial = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const part of parts) lines.push(JSON.parse(part) as Record<string, unknown>);
      for (const wait of waiting.filter(({ n }) => lines.length >= n)) wait.resolve();
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the logging process still ran after ${RUN_TIMEOUT_MS / 1000} s; stderr:\n${stderr}`));
      }, RUN_TIMEOUT_MS);
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    const linesArrived = (n: number) => (lines.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ n, resolve })));
    return { child, lines, stderr: () => stderr, exited, linesArrived };
  }

  /** How many writes a steady stream of `lines` lines made, and the lines, in order. */
  async function steady(lines: number, env: Record<string, string>) {
    const stream = run(['steady', String(lines)], env);
    expect(await stream.exited).toBe(0);
    expect(stream.lines.map(({ i }) => i)).toEqual(Array.from({ length: lines }, (_, i) => i));
    const [, writes, ms] = /writes=(\d+) ms=(\d+)/.exec(stream.stderr()) ?? [];
    const bytes = stream.lines.reduce((sum, line) => sum + JSON.stringify(line).length + 1, 0);
    return { writes: Number(writes), ms: Number(ms), bytes };
  }

  test('a steady stream of lines goes out in writes of 4 KiB, every line whole and in order; unbuffered, a write a line', async () => {
    const lines = 500;
    const buffered = await steady(lines, { LOG_BUFFER_BYTES: '4096', LOG_FLUSH_MS: '250' });
    const unbuffered = await steady(lines, { LOG_BUFFER_BYTES: '0' });

    // One write per 4 KiB that waited, one per LOG_FLUSH_MS at most for the rest, the rest at
    // exit, and a few for writes the pipe took in part.
    expect(buffered.writes).toBeGreaterThan(0);
    expect(buffered.writes).toBeLessThanOrEqual(Math.ceil(buffered.bytes / 4096) + Math.ceil(buffered.ms / 250) + 5);
    // pino's default: each line written on its own once the write before it is done (lines
    // logged while a write is under way go together, more of them on a busy machine).
    expect(unbuffered.writes).toBeGreaterThan(lines / 4);
  }, 2 * RUN_TIMEOUT_MS + 10_000);

  test('lines that wait are written LOG_FLUSH_MS after the first, while the process runs on', async () => {
    const idle = run(['idle'], { LOG_BUFFER_BYTES: '4096', LOG_FLUSH_MS: '200' });
    try {
      await idle.linesArrived(3);
      expect(idle.child.exitCode).toBeNull();
      expect(idle.lines.map(({ i }) => i)).toEqual([0, 1, 2]);
    } finally {
      idle.child.kill('SIGKILL');
      await idle.exited;
    }
  }, RUN_TIMEOUT_MS + 10_000);

  test('the last line before an uncaught exception is written before the process exits', async () => {
    const crash = run(['crash'], { LOG_BUFFER_BYTES: '4096', LOG_FLUSH_MS: '10000' });

    expect(await crash.exited).toBe(1);
    expect(crash.stderr()).toContain('crashed on purpose');
    expect(crash.lines).toEqual([expect.objectContaining({ msg: 'The last line before a crash.', level: 50 })]);
  }, RUN_TIMEOUT_MS + 10_000);
});
