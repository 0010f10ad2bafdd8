import { ecsFormat } from '@elastic/ecs-pino-format';
import pino, { type Bindings, type Logger, type LoggerOptions } from 'pino';
import { logLevel, type LogEntry } from 'kafkajs';
import { observabilityFromEnv, type ObservabilityConfig } from './config';
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
  const format = options.format ?? observabilityFromEnv()?.LOG_FORMAT ?? 'json';
  const version = serviceVersion();
  const settings: LoggerOptions = format === 'ecs' ? ecsOptions(service, version) : { name: service, base: { service, version }, mixin: jsonCorrelation };
  return options.destination ? pino({ ...settings, level }, options.destination) : pino({ ...settings, level });
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
