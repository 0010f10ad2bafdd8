import { ecsFormat } from '@elastic/ecs-pino-format';
import pino, { type Bindings, type Logger, type LoggerOptions } from 'pino';
import { logLevel, type LogEntry } from 'kafkajs';
import { DEFAULT_LOG_BUFFER_BYTES, DEFAULT_LOG_FLUSH_MS, observabilityFromEnv, type ObservabilityConfig } from './config';
import { activeTraceIds, currentRequestId, serviceVersion } from './telemetry';

export type { Logger };

export type LogFormat = ObservabilityConfig['LOG_FORMAT'];

/**
 * The process's logger. Every line names the service and its version, and, when there are
 * any, the active trace and span ids and the request id (x-request-id), so that one request
 * can be followed from the gateway through each subgraph and across Kafka. `format` is
 * LOG_FORMAT: `json` (pino's lines) or `ecs` (Elastic Common Schema, for Filebeat/Logstash).
 */
export function createLogger(
  service: string,
  level: string = 'info',
  options: { format?: LogFormat; destination?: pino.DestinationStream } = {},
): Logger {
  const observability = observabilityFromEnv();
  const format = options.format ?? observability?.LOG_FORMAT ?? 'json';
  const version = serviceVersion();
  const settings: LoggerOptions = format === 'ecs' ? ecsOptions(service, version) : { name: service, base: { service, version }, mixin: jsonCorrelation };
  const destination =
    options.destination ?? stdoutDestination(observability?.LOG_BUFFER_BYTES ?? DEFAULT_LOG_BUFFER_BYTES, observability?.LOG_FLUSH_MS ?? DEFAULT_LOG_FLUSH_MS);
  return pino({ ...settings, level }, destination);
}

/** SonicBoom's state that says whether a write is under way and what waits (sonic-boom 4). */
interface SonicBoomState {
  destroyed: boolean;
  _writing: boolean;
  _len: number;
}

let stdout: pino.DestinationStream | undefined;

/**
 * The process's stdout for log lines, one stream shared by every logger of the process (made
 * with the first call's settings), so that their writes never overlap. With `bufferBytes` > 0,
 * lines gather in memory and go out in one write (on libuv's thread pool, as pino's default
 * stream writes each line) once that many bytes wait, and at the latest `flushMs` after the
 * first line that waits: at a thousand lines a second that is one write per nine or so lines
 * instead of one per line. pino writes what waits
 * synchronously when the process exits (its exit handlers), also after an uncaught exception; a
 * process killed outright (SIGKILL, the OOM killer) loses what waited, at most `flushMs` of lines.
 * `bufferBytes` 0: each line in a write of its own, as pino's default.
 */
export function stdoutDestination(bufferBytes: number, flushMs: number): pino.DestinationStream {
  if (stdout) return stdout;
  const fd = process.stdout.fd ?? 1;
  if (bufferBytes <= 0) {
    stdout = pino.destination({ dest: fd, minLength: 0, sync: false });
    return stdout;
  }
  const stream = pino.destination({ dest: fd, minLength: bufferBytes, sync: false });
  const state = stream as unknown as SonicBoomState;
  let timer: NodeJS.Timeout | undefined;
  const flushSoon = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      if (state.destroyed) return;
      // A write under way takes what waits only if it reaches bufferBytes: look again after it.
      if (state._writing) flushSoon();
      else if (state._len > 0) stream.flush();
    }, flushMs).unref();
  };
  const write = stream.write.bind(stream);
  stream.write = (line: string) => {
    const accepted = write(line);
    flushSoon();
    return accepted;
  };
  stdout = stream;
  return stream;
}

function jsonCorrelation(): Record<string, string> {
  const ids = activeTraceIds();
  const requestId = currentRequestId();
  return { ...(ids && { trace_id: ids.traceId, span_id: ids.spanId }), ...(requestId && { request_id: requestId }) };
}

function ecsCorrelation(): Record<string, string> {
  const ids = activeTraceIds();
  const requestId = currentRequestId();
  return { ...(ids && { 'trace.id': ids.traceId, 'span.id': ids.spanId }), ...(requestId && { 'http.request.id': requestId }) };
}

/** ECS lines: service.name and service.version set once; a child's `service` binding (the test stack's) becomes service.name too. */
function ecsOptions(service: string, version: string): LoggerOptions {
  const ecs = ecsFormat({ serviceName: service, serviceVersion: version, apmIntegration: false, convertErr: true });
  const ecsBindings = ecs.formatters?.bindings;
  return {
    ...ecs,
    name: service,
    mixin: ecsCorrelation,
    formatters: {
      ...ecs.formatters,
      bindings(bindings: Bindings) {
        // ECS's `service` is an object; a plain string there would not index.
        const { service: child, ...rest } = bindings;
        const renamed = typeof child === 'string' ? { ...rest, 'service.name': child } : bindings;
        return ecsBindings ? ecsBindings(renamed) : renamed;
      },
    },
  };
}

const kafkaLevels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** Routes kafkajs's own logging into pino, one child logger per kafkajs namespace. */
export function kafkaLogCreator(logger: Logger) {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, ...extra } = log;
      kafkaLogger[kafkaLevels[level] ?? 'info']({ namespace, ...extra }, message);
    };
}
