import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import { reusedServiceToken, type InternalSigner } from '../identity';
import { currentRequestId, REQUEST_ID_HEADER } from '../telemetry';
import { noBody, type CallInput, type CallResult, type InternalApi, type InternalCall } from './definition';

/**
 * The call got no usable answer: the callee could not be reached, did not answer within the
 * time allowed, or answered something its definition does not allow (a 500, a body that does
 * not parse). Whether a non-idempotent call took effect is then unknown.
 */
export class InternalCallError extends Error {
  override name = 'InternalCallError';
  constructor(
    message: string,
    /** The HTTP status, when an answer came. */
    readonly status?: number,
    /** The answer's body, for the logs. */
    readonly body?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** Pause before the second try; doubled before each further one, with jitter. */
  backoffMs: number;
}

// 3 tries, 50 ms then 100 ms apart: rides out a callee restarting or draining (connection
// refused, 503) without adding more than a fraction of a second to a waiting person.
const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 50 };

/** Answers the callee may give while it cannot serve, which say nothing was done. */
const RETRYABLE_STATUSES = new Set([502, 503, 504]);

export interface InternalClientOptions {
  baseUrl: string;
  /** The calling service, signed into the service token; must be among each call's `callers`. */
  caller: string;
  signer: InternalSigner;
  /**
   * The whole call's budget, retries included: a caller's own bounds (a consumer's rebalance
   * window, products' orphan window) rest on a call never taking longer than this.
   */
  timeoutMs: number;
  retry?: RetryPolicy;
}

export type InternalClient<A extends InternalApi> = {
  [Name in keyof A['calls']]: (input: CallInput<A['calls'][Name]>) => Promise<CallResult<A['calls'][Name]>>;
};

interface RawInput {
  params?: Record<string, string>;
  body?: unknown;
}

/**
 * The connections every internal client of this process shares: a keep-alive pool per callee.
 * undici's request() rather than fetch(): no WHATWG Request, Headers, Response or streams per
 * call, which made fetch the largest single cost of a call (the gateway's subgraph client uses
 * request() for the same reason). 4 s idle: under Node's server keep-alive timeout (5 s), so the
 * caller, not the callee, closes an idle connection, and a request never goes out on one being
 * closed.
 */
let sharedAgent: Agent | undefined;
function internalAgent(): Dispatcher {
  sharedAgent ??= new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 4_000 });
  return sharedAgent;
}

interface Answer {
  status: number;
  text: string;
}

function requestIdHeader(): Record<string, string> {
  const requestId = currentRequestId();
  return requestId ? { [REQUEST_ID_HEADER]: requestId } : {};
}

/**
 * The one client of every internal API: a method per call of `api`, with the service token,
 * a timeout, bounded retries of idempotent calls, and typed results: the value, or one of the
 * call's refusals. Anything else throws an `InternalCallError` saying what failed.
 */
export function createInternalClient<A extends InternalApi>(api: A, options: InternalClientOptions): InternalClient<A> {
  const base = options.baseUrl.replace(/\/+$/, '');
  const serviceToken = reusedServiceToken(options.signer, options.caller);
  const retry = options.retry ?? DEFAULT_RETRY;

  async function invoke(name: string, call: InternalCall, input: RawInput): Promise<unknown> {
    const what = `${call.method} ${api.prefix}${call.path}`;
    const path = call.path.replace(/:(\w+)/g, (_, param: string) => encodeURIComponent(input.params?.[param] ?? ''));
    const url = `${base}${api.prefix}${path}`;
    const sendsBody = call.request !== noBody;
    const deadline = Date.now() + options.timeoutMs;
    // A call that may have taken effect is sent once: its caller decides what an unknown outcome means.
    const attempts = call.idempotent ? Math.max(1, retry.attempts) : 1;

    let response: Answer | undefined;
    for (let attempt = 1; !response; attempt += 1) {
      const pause = retry.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
      const mayRetry = attempt < attempts && Date.now() + pause < deadline;
      const signal = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
      try {
        const answer = await request(url, {
          dispatcher: internalAgent(),
          method: call.method,
          headers: {
            accept: 'application/json',
            authorization: `Bearer ${await serviceToken()}`,
            ...(sendsBody ? { 'content-type': 'application/json' } : {}),
            // The request this call serves, so that the callee's log lines name it too.
            ...requestIdHeader(),
          },
          body: sendsBody ? JSON.stringify(input.body) : undefined,
          signal,
        });
        if (RETRYABLE_STATUSES.has(answer.statusCode) && mayRetry) {
          await answer.body.dump();
        } else {
          response = { status: answer.statusCode, text: await answer.body.text() };
        }
      } catch (err) {
        // The deadline passed, while connecting, waiting or reading: one Error that says what failed, for the logs.
        if (signal.aborted) {
          throw new InternalCallError(`The ${api.name} did not answer ${what} within ${options.timeoutMs} ms.`, undefined, undefined, { cause: err });
        }
        if (!mayRetry) {
          const failure = err as { code?: unknown; cause?: { code?: unknown }; message?: unknown };
          const reason = failure.cause?.code ?? failure.code ?? failure.message;
          const tries = attempt > 1 ? ` after ${attempt} tries` : '';
          throw new InternalCallError(`The ${api.name} could not be reached for ${what}${tries} (${String(reason)}).`, undefined, undefined, { cause: err });
        }
      }
      if (!response) await sleep(pause);
    }
    return read(name, call, what, response);
  }

  function read(name: string, call: InternalCall, what: string, response: Answer): unknown {
    const { text } = response;
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      throw new InternalCallError(`The ${api.name} answered ${what} with ${response.status} and a body that is not JSON.`, response.status, text.slice(0, 500));
    }
    if (response.status === 200) {
      const value = call.response.safeParse(body);
      if (!value.success) throw new InternalCallError(`The ${api.name} answered ${what} with a value this service cannot read: ${value.error.message}`, 200, body);
      return { ok: true, value: value.data };
    }
    const code = typeof body === 'object' && body !== null && 'code' in body && typeof body.code === 'string' ? body.code : undefined;
    const refusal = code === undefined ? undefined : call.refusals[code];
    if (code !== undefined && refusal?.status === response.status) {
      const fields = refusal.body.safeParse(body);
      if (!fields.success) throw new InternalCallError(`The ${api.name} refused ${what} with ${code} in a form this service cannot read: ${fields.error.message}`, response.status, body);
      return { ok: false, refusal: { ...fields.data, code } };
    }
    throw new InternalCallError(`The ${api.name} answered ${what} (${name}) with ${response.status}${code ? ` ${code}` : ''}.`, response.status, body);
  }

  const client: Record<string, (input: RawInput) => Promise<unknown>> = {};
  for (const [name, call] of Object.entries(api.calls)) client[name] = (input) => invoke(name, call, input ?? {});
  return client as InternalClient<A>;
}
