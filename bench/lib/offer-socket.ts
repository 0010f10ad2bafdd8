import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { contractOperation } from '@waimai/testkit/contract';

/** The contract's rider subscription, sent as is. */
export const ORDER_OFFERS = contractOperation('OrderOffers');

export interface OfferFrame {
  offerId: string;
  orderId: string;
  /** performance.now() when the frame was read off the socket. */
  at: number;
}

export interface OfferSocketHandlers {
  offer(frame: OfferFrame): void;
  /** An `error`/`next` with errors, or an unexpected close. */
  problem(kind: string): void;
}

interface ServerMessage {
  type: string;
  id?: string;
  payload?: {
    data?: { orderOffers?: { id?: string; order?: { id?: string } } } | null;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  };
}

// 15 s to open a socket and get connection_ack: far beyond any healthy handshake here.
const OPEN_TIMEOUT_MS = 15_000;

/**
 * A rider app's socket, on the graphql-transport-ws protocol written out by hand (about what
 * the graphql-ws client sends, minus its retry machinery, so thousands cost little in the
 * load generator): connection_init with the rider's token, one OrderOffers subscription,
 * and every `next` frame handed over with the time it arrived.
 */
export class OfferSocket {
  private socket: WebSocket | null = null;
  private closing = false;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly handlers: OfferSocketHandlers,
  ) {}

  /** Resolves once connection_ack came back and the subscribe message was sent. */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.url, 'graphql-transport-ws', { perMessageDeflate: false });
      this.socket = socket;
      let acked = false;
      const timer = setTimeout(() => fail(new Error(`no connection_ack within ${OPEN_TIMEOUT_MS} ms`)), OPEN_TIMEOUT_MS);
      const fail = (err: Error) => {
        clearTimeout(timer);
        if (!acked) {
          acked = true;
          socket.terminate();
          reject(err);
        }
      };
      socket.on('open', () => {
        socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${this.token}` } }));
      });
      socket.on('message', (data: Buffer) => {
        const at = performance.now();
        let message: ServerMessage;
        try {
          message = JSON.parse(data.toString('utf8')) as ServerMessage;
        } catch {
          this.handlers.problem('bad_frame');
          return;
        }
        switch (message.type) {
          case 'connection_ack':
            if (acked) return;
            acked = true;
            clearTimeout(timer);
            socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: ORDER_OFFERS, operationName: 'OrderOffers' } }));
            resolve();
            return;
          case 'ping':
            socket.send(JSON.stringify({ type: 'pong' }));
            return;
          case 'next': {
            const offer = message.payload?.data?.orderOffers;
            if (message.payload?.errors?.length || !offer?.id || !offer.order?.id) {
              this.handlers.problem(`next_error:${message.payload?.errors?.[0]?.extensions?.code ?? 'NO_DATA'}`);
              return;
            }
            this.handlers.offer({ offerId: offer.id, orderId: offer.order.id, at });
            return;
          }
          case 'error':
            this.handlers.problem(`error:${message.payload?.errors?.[0]?.extensions?.code ?? 'UNKNOWN'}`);
            return;
          case 'complete':
            this.handlers.problem('complete');
            return;
          default:
            return;
        }
      });
      socket.on('error', (err) => fail(err));
      socket.on('close', (code) => {
        if (!acked) fail(new Error(`closed with ${code} before connection_ack`));
        else if (!this.closing) this.handlers.problem(`closed:${code}`);
      });
    });
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.closing = true;
    if (!socket || socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      // 2 s for the close handshake, then the TCP connection is cut.
      const timer = setTimeout(() => socket.terminate(), 2_000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.close(1000, 'bench done');
    });
  }
}
