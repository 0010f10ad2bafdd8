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

export async function openGraphQLSocket(url: string): Promise<GraphQLSocket> {
  const socket = new WebSocket(url, 'graphql-transport-ws');
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
