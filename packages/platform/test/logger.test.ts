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
