import { z } from 'zod';

/** A refusal the callee may answer instead of a value: its HTTP status and the fields beside `code`. */
export interface RefusalDefinition {
  status: number;
  body: z.ZodObject;
}

export type RefusalDefinitions = Record<string, RefusalDefinition>;

/** The request body of a call that sends none (a GET). */
export const noBody = z.undefined();

/**
 * One synchronous call between two services, read by both sides: the callee mounts a
 * handler typed by it, the caller gets a client method typed by it.
 */
export interface InternalCall<
  Path extends string = string,
  Request extends z.ZodType = z.ZodType,
  Response extends z.ZodType = z.ZodType,
  Refusals extends RefusalDefinitions = RefusalDefinitions,
> {
  method: 'GET' | 'POST';
  /** Below the API's prefix; `:name` segments are path parameters (`/:orderId/offers`). */
  path: Path;
  request: Request;
  /** Answered with 200. */
  response: Response;
  /** Keyed by the `code` the body carries; a code's status is fixed here, once. */
  refusals: Refusals;
  /** Safe to send again when no answer came: the client retries only these. */
  idempotent: boolean;
  /** Services (the `sub` of their service token) allowed to make this call. */
  callers: readonly string[];
}

export interface InternalApi<Calls extends Record<string, InternalCall> = Record<string, InternalCall>> {
  /** How errors name it: "the stock API did not answer …". */
  name: string;
  /** The service that serves it. */
  service: string;
  prefix: `/internal/${string}`;
  /** Largest JSON body, e.g. '64kb'. */
  bodyLimit: string;
  calls: Calls;
}

export const defineInternalCall = <const Path extends string, Request extends z.ZodType, Response extends z.ZodType, Refusals extends RefusalDefinitions>(
  call: InternalCall<Path, Request, Response, Refusals>,
): InternalCall<Path, Request, Response, Refusals> => call;

export const defineInternalApi = <Calls extends Record<string, InternalCall>>(api: InternalApi<Calls>): InternalApi<Calls> => api;

/** `'orderId'` for `'/:orderId/offers'`. */
export type PathParamNames<Path extends string> = Path extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParamNames<`/${Rest}`>
  : Path extends `${string}:${infer Name}`
    ? Name
    : never;

type ParamsOf<C extends InternalCall> = Record<PathParamNames<C['path']>, string>;

/** What a client passes: `params` when the path has some, `body` when the call sends one. */
export type CallInput<C extends InternalCall> = ([PathParamNames<C['path']>] extends [never] ? unknown : { params: ParamsOf<C> }) &
  (z.input<C['request']> extends undefined ? unknown : { body: z.input<C['request']> });

type RefusalUnion<Refusals extends RefusalDefinitions, Mode extends 'input' | 'output'> = {
  [Code in keyof Refusals & string]: { code: Code } & (Mode extends 'input' ? z.input<Refusals[Code]['body']> : z.output<Refusals[Code]['body']>);
}[keyof Refusals & string];

/** A refusal as the caller receives it: `{ code, ...fields }`, one member per code. */
export type RefusalOf<C extends InternalCall> = RefusalUnion<C['refusals'], 'output'>;

/** What a client method resolves to; transport failures and unexpected answers throw instead. */
export type CallResult<C extends InternalCall> = [keyof C['refusals']] extends [never]
  ? { ok: true; value: z.output<C['response']> }
  : { ok: true; value: z.output<C['response']> } | { ok: false; refusal: RefusalOf<C> };

/** What a server handler returns: the response or one of the call's refusals, before serialisation. */
export type HandlerResult<C extends InternalCall> =
  | { ok: true; value: z.input<C['response']> }
  | { ok: false; refusal: RefusalUnion<C['refusals'], 'input'> };

export type CallHandler<C extends InternalCall> = (request: { params: ParamsOf<C>; body: z.output<C['request']>; caller: string }) => Promise<HandlerResult<C>>;

export type InternalApiHandlers<A extends InternalApi> = { [Name in keyof A['calls']]: CallHandler<A['calls'][Name]> };

export const answer = <T>(value: T) => ({ ok: true as const, value });

export const refuse = <const Code extends string, Fields extends object>(code: Code, fields: Fields) => ({
  ok: false as const,
  refusal: { code, ...fields },
});
