import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from '@waimai/platform';
import type { GatewayContext } from './caller';

// An operation name is a GraphQL name; anything else (a document that did not parse) is not logged as one.
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

/**
 * One access line per GraphQL operation, at info: its name and type, how it came (HTTP,
 * socket, subscription event), the caller's kind, the duration, the outcome and the error
 * codes. Never the document, the variables, a header or an error message: those carry tokens,
 * addresses and phone numbers. The request id, trace and span ids come with every line.
 */
export function accessLogPlugin(logger: Logger): ApolloServerPlugin<GatewayContext> {
  const log = logger.child({ component: 'access' });
  return {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operation, operationName, request, errors, response }) {
          const name = operationName ?? request.operationName;
          const codes = [...new Set((errors ?? []).map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))];
          log.info(
            {
              operationName: name && OPERATION_NAME.test(name) ? name : null,
              operationType: operation?.operation ?? null,
              transport: contextValue.origin,
              caller: contextValue.caller ? 'user' : 'anonymous',
              durationMs: Number(process.hrtime.bigint() - started) / 1e6,
              outcome: codes.length ? 'error' : 'ok',
              ...(codes.length && { errorCodes: codes }),
              ...(response.http.status && { status: response.http.status }),
            },
            'GraphQL operation served.',
          );
        },
      };
    },
  };
}
