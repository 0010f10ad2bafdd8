import { propagation, trace } from '@opentelemetry/api';
import { activeTraceIds, inSpan, SpanKind, startTelemetry, traceCarrier } from '../src/telemetry';

describe('telemetry when no OTLP endpoint is configured', () => {
  test('nothing starts: no SDK, no propagator, and spans are the API no-ops that record nothing', async () => {
    expect(startTelemetry({ service: 'orders' })).toBeNull();

    const inside = await inSpan('work', { kind: SpanKind.CONSUMER, carrier: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } }, async () => ({
      ids: activeTraceIds(),
      recording: trace.getActiveSpan()?.isRecording() ?? false,
    }));

    expect(inside).toEqual({ ids: null, recording: false });
    expect(traceCarrier()).toEqual({});
    expect(propagation.fields()).toEqual([]);
  });
});
