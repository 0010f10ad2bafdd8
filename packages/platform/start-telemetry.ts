/**
 * The first import of every process's src/index.ts: starts tracing (when configured) before
 * anything else loads, because the instrumentations patch http, express, graphql, mysql2 and
 * ioredis as they are required. The service is named after the entry's package (gateway,
 * orders, ...), or OTEL_SERVICE_NAME. Without an OTLP endpoint it does nothing and loads
 * nothing of the SDK.
 */
import { entryPackage, startTelemetry } from './src/telemetry';

startTelemetry({ service: entryPackage().name });
