import { mapLimit } from '../lib/http';
import { OfferSocket } from '../lib/offer-socket';

/**
 * A load-generator process of the connections scenario: holds its share of the rider
 * sockets. The parent sends batches of tokens; each is opened (connection_init + OrderOffers)
 * and answered with how many opened and why the others failed. 'close' closes them all.
 */
export type WorkerRequest = { type: 'cpu' } | { type: 'batch'; url: string; tokens: string[]; concurrency: number } | { type: 'close' };

export type WorkerReply =
  | { type: 'cpu'; cpuSeconds: number }
  | { type: 'batch'; opened: number; failed: number; errors: Record<string, number>; cpuSeconds: number }
  | { type: 'closed'; cpuSeconds: number; problems: Record<string, number> };

const sockets: OfferSocket[] = [];
const problems = new Map<string, number>();
const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
const cpuSeconds = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};
const reply = (message: WorkerReply) => process.send?.(message);

process.on('message', (request: WorkerRequest) => {
  void (async () => {
    if (request.type === 'cpu') {
      reply({ type: 'cpu', cpuSeconds: cpuSeconds() });
      return;
    }
    if (request.type === 'batch') {
      const errors = new Map<string, number>();
      let opened = 0;
      await mapLimit(request.tokens, request.concurrency, async (token) => {
        const socket = new OfferSocket(request.url, token, { offer: () => undefined, problem: (kind) => count(problems, kind) });
        try {
          await socket.open();
          sockets.push(socket);
          opened += 1;
        } catch (err) {
          count(errors, err instanceof Error ? err.message.slice(0, 80) : String(err));
        }
      });
      reply({ type: 'batch', opened, failed: request.tokens.length - opened, errors: Object.fromEntries(errors), cpuSeconds: cpuSeconds() });
      return;
    }
    await mapLimit(sockets, 500, (socket) => socket.close());
    reply({ type: 'closed', cpuSeconds: cpuSeconds(), problems: Object.fromEntries(problems) });
    process.exit(0);
  })();
});

// Never outlive the bench: the parent gone means nobody will say 'close'.
process.on('disconnect', () => process.exit(0));
