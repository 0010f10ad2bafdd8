import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** A graphql-transport-ws message as it travels on the socket. */
export interface SocketMessage {
  type: string;
  id?: string;
  payload?: unknown;
}

export interface SocketClose {
  code: number;
  reason: string;
}

/**
 * A raw GraphQL-over-WebSocket connection (protocol graphql-transport-ws), for tests that
 * check the protocol itself: what the server sends and how and when it closes.
 */
export interface GraphQLSocket {
  send(message: SocketMessage): void;
  /** The next message from the server; rejects if none arrives within `timeoutMs`. */
  nextMessage(timeoutMs?: number): Promise<SocketMessage>;
  /** Resolves when the socket closes, with the server's code and reason. */
  closed: Promise<SocketClose>;
  close(): void;
}

export interface SocketOptions {
  /**
   * Whether the client answers the server's ws-level pings (default true, as browsers and
   * the ws package do). False stands for a dead link the server must notice.
   */
  answerPings?: boolean;
}

export async function openGraphQLSocket(url: string, options: SocketOptions = {}): Promise<GraphQLSocket> {
  const socket = new WebSocket(url, 'graphql-transport-ws', { autoPong: options.answerPings ?? true });
  const inbox: SocketMessage[] = [];
  const waiting: Array<(message: SocketMessage) => void> = [];

  socket.on('message', (data: WebSocket.RawData) => {
    const message = JSON.parse(data.toString()) as SocketMessage;
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else inbox.push(message);
  });
  const closed = new Promise<SocketClose>((resolve) => {
    socket.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() }));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });

  return {
    send: (message) => socket.send(JSON.stringify(message)),
    nextMessage(timeoutMs = 5000) {
      const queued = inbox.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise<SocketMessage>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(deliver), 1);
          reject(new Error(`No message from the server within ${timeoutMs} ms.`));
        }, timeoutMs);
        const deliver = (message: SocketMessage) => {
          clearTimeout(timer);
          resolve(message);
        };
        waiting.push(deliver);
      });
    },
    closed,
    close: () => socket.close(),
  };
}

/** One `next` payload of a subscription, as the server sent it. */
export interface SubscriptionPayload<T> {
  data?: T | null;
  errors?: Array<{ message: string; path?: ReadonlyArray<string | number>; extensions?: { code?: string; [key: string]: unknown } }>;
}

/** How a subscription ended: the server completed it, answered `error`, or the socket closed. */
export type SubscriptionEnd =
  | { kind: 'complete' }
  | { kind: 'error'; errors: NonNullable<SubscriptionPayload<unknown>['errors']> }
  | { kind: 'closed'; code: number; reason: string };

export interface GraphQLSubscription<T> {
  /** The next payload; rejects if the subscription ends first or nothing comes within `timeoutMs`. */
  next(timeoutMs?: number): Promise<SubscriptionPayload<T>>;
  /** Payloads received that next() has not taken yet. */
  queued(): number;
  /** Resolves once the subscription has ended, with how. */
  ended: Promise<SubscriptionEnd>;
  /** Completes the subscription and closes its socket. */
  close(): Promise<void>;
}

function messageOfSocketError(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string') return err.message;
  return String(err);
}

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === 'object' && value !== null && 'code' in value && typeof value.code === 'number';
}

/**
 * A subscription over its own socket, as an app opens one: the graphql-ws client with the
 * token in `connection_init`, no retries (a test sees every close). Payloads queue up until
 * read with next().
 */
export function subscribe<T = Record<string, unknown>>(
  wsUrl: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): GraphQLSubscription<T> {
  const inbox: Array<SubscriptionPayload<T>> = [];
  const waiting: Array<{ resolve: (payload: SubscriptionPayload<T>) => void; reject: (err: Error) => void }> = [];
  let end: SubscriptionEnd | null = null;
  let settleEnded: (end: SubscriptionEnd) => void = () => undefined;
  const ended = new Promise<SubscriptionEnd>((resolve) => {
    settleEnded = resolve;
  });
  const finish = (how: SubscriptionEnd) => {
    if (end) return;
    end = how;
    settleEnded(how);
    for (const waiter of waiting.splice(0)) waiter.reject(new Error(`The subscription ended (${JSON.stringify(how)}) before the next payload.`));
  };

  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    shouldRetry: () => false,
  });
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next(payload) {
        const message = payload as SubscriptionPayload<T>;
        const waiter = waiting.shift();
        if (waiter) waiter.resolve(message);
        else inbox.push(message);
      },
      error(err: unknown) {
        if (Array.isArray(err)) finish({ kind: 'error', errors: err as NonNullable<SubscriptionPayload<unknown>['errors']> });
        else if (isCloseEvent(err)) finish({ kind: 'closed', code: err.code, reason: err.reason });
        // ws hands over an ErrorEvent (not an Error) when the socket never opened, e.g. an upgrade answered 429.
        else finish({ kind: 'closed', code: 0, reason: messageOfSocketError(err) });
      },
      complete() {
        finish({ kind: 'complete' });
      },
    },
  );

  return {
    next(timeoutMs = 15_000) {
      const queued = inbox.shift();
      if (queued) return Promise.resolve(queued);
      if (end) return Promise.reject(new Error(`The subscription ended (${JSON.stringify(end)}).`));
      return new Promise<SubscriptionPayload<T>>((resolve, reject) => {
        const entry = {
          resolve: (payload: SubscriptionPayload<T>) => {
            clearTimeout(timer);
            resolve(payload);
          },
          reject: (err: Error) => {
            clearTimeout(timer);
            reject(err);
          },
        };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(entry), 1);
          reject(new Error(`No subscription payload within ${timeoutMs} ms.`));
        }, timeoutMs);
        waiting.push(entry);
      });
    },
    queued: () => inbox.length,
    ended,
    async close() {
      unsubscribe();
      finish({ kind: 'complete' });
      await client.dispose();
    },
  };
}
