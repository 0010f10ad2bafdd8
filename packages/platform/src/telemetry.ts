import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { context, isSpanContextValid, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Link } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { observabilityFromEnv } from './config';

/**
 * Traces: OpenTelemetry's Node SDK with the HTTP (server side, and the webhook proxy's
 * requests), undici (fetch: the gateway's subgraph calls and the internal APIs), express,
 * GraphQL, mysql2 and ioredis instrumentations, exported over OTLP/HTTP. Off unless
 * OTEL_EXPORTER_OTLP_ENDPOINT (or …_TRACES_ENDPOINT) is set: then nothing of the SDK is even
 * loaded, and the helpers below run on the API's no-op tracer (no span is recorded).
 * Across Kafka the trace travels in the message headers (`traceparent`), see outbox.ts and events.ts.
 */

export type Instrumentation = Exclude<NodeSDKConfiguration['instrumentations'][number], readonly unknown[]>;

export interface TelemetryOptions {
  /** The service name on spans (OTEL_SERVICE_NAME wins). */
  service: string;
  /** The service version on spans (SERVICE_VERSION wins, else the entry package's version). */
  version?: string;
  /** Where spans go instead of OTLP: tests pass an in-memory exporter's processor, which starts tracing without an endpoint. */
  spanProcessors?: SpanProcessor[];
}

export interface Telemetry {
  readonly service: string;
  /** The instrumentations in place (tests under jest, whose loader require hooks never see, patch modules with them). */
  readonly instrumentations: readonly Instrumentation[];
  /** Exports what is pending, then stops tracing and takes the instrumentations out. */
  shutdown(): Promise<void>;
}

let running: Telemetry | null = null;

let entry: { name: string; version: string } | undefined;

/** The name (without @waimai/) and version of the package whose file this process runs: the gateway's, a subgraph's. */
export function entryPackage(): { name: string; version: string } {
  if (entry) return entry;
  entry = { name: 'waimai', version: '0.0.0' };
  for (let dir = path.dirname(require.main?.filename ?? ''); dir && dir !== path.dirname(dir); dir = path.dirname(dir)) {
    let text: string;
    try {
      text = readFileSync(path.join(dir, 'package.json'), 'utf8');
    } catch {
      continue; // No package.json at this level: look one up.
    }
    const pkg = JSON.parse(text) as { name?: unknown; version?: unknown };
    if (typeof pkg.name === 'string') entry.name = pkg.name.replace(/^@waimai\//, '');
    if (typeof pkg.version === 'string') entry.version = pkg.version;
    break;
  }
  return entry;
}

/** The version on spans and log lines: SERVICE_VERSION (set by the image build), else the entry package's. */
export function serviceVersion(): string {
  return observabilityFromEnv()?.SERVICE_VERSION ?? entryPackage().version;
}

/** True when the configuration asks for traces to be exported (an OTLP endpoint, and the SDK not disabled). */
export function tracingConfigured(): boolean {
  const config = observabilityFromEnv();
  return !!config && config.OTEL_SDK_DISABLED !== 'true' && !!(config.OTEL_EXPORTER_OTLP_ENDPOINT ?? config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

// Probes and scrapes every few seconds would bury the traces that matter.
const UNTRACED_PATHS = /^\/(healthz|readyz|metrics)(\?|$)/;

/**
 * Starts tracing for this process, once: before anything else loads, since the
 * instrumentations patch http, express, graphql, mysql2 and ioredis as they are required.
 * Returns null, having loaded nothing, when tracing is not configured.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry | null {
  if (running) return running;
  if (!options.spanProcessors && !tracingConfigured()) return null;
  // Loaded here, not at the top: a process without tracing never loads the SDK.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  const { ExpressInstrumentation, ExpressLayerType } = require('@opentelemetry/instrumentation-express') as typeof import('@opentelemetry/instrumentation-express');
  const { GraphQLInstrumentation } = require('@opentelemetry/instrumentation-graphql') as typeof import('@opentelemetry/instrumentation-graphql');
  const { MySQL2Instrumentation } = require('@opentelemetry/instrumentation-mysql2') as typeof import('@opentelemetry/instrumentation-mysql2');
  const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  /* eslint-enable @typescript-eslint/no-require-imports */

  const config = observabilityFromEnv();
  const service = config?.OTEL_SERVICE_NAME ?? options.service;
  const instrumentations: Instrumentation[] = [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.test(request.url ?? ''),
      // A trace is found by the request id a client quotes.
      headersToSpanAttributes: { server: { requestHeaders: [REQUEST_ID_HEADER] } },
    }),
    new UndiciInstrumentation({ ignoreRequestHook: (request) => UNTRACED_PATHS.test(request.path) }),
    // Route handlers only: a span per middleware (cors, json, rate limits) is noise.
    new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
    // No variable values on spans (allowValues stays false): they carry addresses and phone numbers.
    new GraphQLInstrumentation({ ignoreTrivialResolveSpans: true, mergeItems: true }),
    // Literals masked: statements carry customers' addresses and phone numbers.
    new MySQL2Instrumentation({ maskStatement: true }),
    // The command's name only, never its arguments (keys and values may carry personal data).
    new IORedisInstrumentation({ dbStatementSerializer: (command) => command }),
  ];
  const sdk = new NodeSDK({
    serviceName: service,
    resource: resourceFromAttributes({ 'service.name': service, 'service.version': options.version ?? serviceVersion() }),
    // The exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT and the SDK's other OTEL_* itself.
    spanProcessors: options.spanProcessors ?? [new BatchSpanProcessor(new OTLPTraceExporter())],
    instrumentations,
    // Traces only: metrics are Prometheus's (/metrics), logs are stdout's.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();

  const flushOnSignal = () => void telemetry.shutdown();
  let stopped: Promise<void> | undefined;
  const telemetry: Telemetry = {
    service,
    instrumentations,
    shutdown() {
      stopped ??= (async () => {
        process.removeListener('SIGTERM', flushOnSignal);
        process.removeListener('SIGINT', flushOnSignal);
        for (const instrumentation of instrumentations) instrumentation.disable();
        await sdk.shutdown();
        running = null;
      })();
      return stopped;
    },
  };
  // The service's own shutdown (onShutdown) drains and exits; the spans batched so far are sent meanwhile.
  process.once('SIGTERM', flushOnSignal);
  process.once('SIGINT', flushOnSignal);
  running = telemetry;
  return telemetry;
}

/** Header names and values of a trace context (W3C: `traceparent`, `tracestate`). */
export type TraceCarrier = Record<string, string>;

/** The trace context of `ctx` (the active one by default) as headers; empty when nothing is traced. */
export function traceCarrier(ctx: Context = context.active()): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** The trace and span id of the active span, for log lines; null outside any span (or without tracing). */
export function activeTraceIds(): { traceId: string; spanId: string } | null {
  const span = trace.getActiveSpan();
  if (!span) return null;
  const spanContext = span.spanContext();
  return isSpanContextValid(spanContext) ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : null;
}

const tracer = () => trace.getTracer('waimai');

/**
 * Runs `work` in a span of `kind` that continues the trace `carrier` holds (a Kafka message's
 * headers), or the active trace when it holds none. The span ends with `work`, marked as an
 * error if it throws.
 */
export async function inSpan<T>(
  name: string,
  options: { kind: SpanKind; carrier?: TraceCarrier; attributes?: Attributes; links?: readonly TraceCarrier[] },
  work: () => Promise<T>,
): Promise<T> {
  const parent = options.carrier && Object.keys(options.carrier).length > 0 ? propagation.extract(context.active(), options.carrier) : context.active();
  const span = tracer().startSpan(name, { kind: options.kind, attributes: options.attributes, links: options.links && linksTo(options.links) }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), work);
  } catch (err) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    span.end();
  }
}

/** Links to the spans the carriers name (a batch's messages), leaving out those that name none. */
function linksTo(carriers: readonly TraceCarrier[]): Link[] {
  const links: Link[] = [];
  for (const carrier of carriers) {
    if (Object.keys(carrier).length === 0) continue;
    const spanContext = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, carrier));
    if (spanContext && isSpanContextValid(spanContext)) links.push({ context: spanContext });
  }
  return links;
}

/**
 * A span of `kind` started under the trace `carrier` holds (or the active one), with the
 * carrier of the new span: the outbox relay's publish span, whose context goes into the message.
 */
export function startLinkedSpan(name: string, options: { kind: SpanKind; carrier?: TraceCarrier; attributes?: Attributes }) {
  const parent = options.carrier && Object.keys(options.carrier).length > 0 ? propagation.extract(context.active(), options.carrier) : context.active();
  const span = tracer().startSpan(name, { kind: options.kind, attributes: options.attributes }, parent);
  return { span, carrier: traceCarrier(trace.setSpan(parent, span)) };
}

export { SpanKind, SpanStatusCode };

/**
 * Runs `work` outside any trace and request: background work a request merely nudged (the
 * outbox relay after a commit) is not part of that request.
 */
export function detached<T>(work: () => T): T {
  return requestContext.exit(() => context.with(ROOT_CONTEXT, work));
}

/** The header that names a request end to end: taken from the client (or generated), answered, forwarded to subgraphs. */
export const REQUEST_ID_HEADER = 'x-request-id';

const requestContext = new AsyncLocalStorage<{ requestId: string }>();

// A client's id is kept only when it is a plain token of sane length: it ends up in every log line.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The id of the request being served here, if any (log lines, forwarded calls). */
export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}

/**
 * Names one HTTP request: the incoming x-request-id when it is a plain token, else a new UUID;
 * answers it in the x-request-id response header and keeps it for everything the request does
 * (log lines, calls to subgraphs). Returns the id.
 */
export function startRequest(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const requestId = typeof incoming === 'string' && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, requestId);
  // enterWith, not run(): the request's later callbacks (its body arriving, then the rest of
  // its handling) run in this request's async resource, which run() would not reach.
  requestContext.enterWith({ requestId });
  return requestId;
}

/** startRequest as the first express middleware of an app. */
export function requestIds(): RequestHandler {
  return (req, res, next) => {
    res.locals.requestId = startRequest(req, res);
    next();
  };
}
