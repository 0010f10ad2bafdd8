import mysql from 'mysql2/promise';
import { connectRedis } from '@waimai/platform';

export interface PreflightOptions {
  MYSQL_URL: string;
  REDIS_URL: string;
  /** When set, the first master is checked instead of REDIS_URL (docs/redis-cluster.md). */
  REDIS_CLUSTER_NODES?: readonly string[];
}

const START_MARIADB = 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd';
const START_REDIS = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';

/** host:port of a URL, without its credentials, for messages. */
function addressOf(url: string, defaultPort: number): string {
  const { hostname, port } = new URL(url);
  return `${hostname}:${port || defaultPort}`;
}

function reasonOf(err: unknown): string {
  const { code, message } = err as { code?: string; message?: string };
  return [code, message].filter(Boolean).join(': ') || String(err);
}

/** Null when MySQL answers a query at `url`; otherwise what is wrong and how to fix it. */
export async function checkMysql(url: string): Promise<string | null> {
  const address = addressOf(url, 3306);
  let connection: mysql.Connection | undefined;
  try {
    // 3 s: a local server answers in milliseconds; anything slower is not there.
    connection = await mysql.createConnection({ uri: url, connectTimeout: 3_000 });
    await connection.query('SELECT 1');
    return null;
  } catch (err) {
    // Server errors carry a MySQL error number (1045 access denied, ...): it answered, but said no.
    const { errno, code } = err as { errno?: number; code?: string };
    if ((typeof errno === 'number' && errno >= 1000) || code === 'ER_NOT_SUPPORTED_AUTH_MODE') {
      return `MySQL at ${address} answered but refused (${reasonOf(err)}). Put a user that may create databases, and its password, in MYSQL_URL, e.g. MYSQL_URL=mysql://root:secret@${address}.`;
    }
    return (
      `MySQL does not answer at ${address} (${reasonOf(err)}). Start MariaDB (\`${START_MARIADB}\`) ` +
      `or another MySQL, or point MYSQL_URL at one that runs.`
    );
  } finally {
    await connection?.end().catch(() => undefined);
  }
}

/** Null when Redis answers PING at `url`; otherwise what is wrong and how to fix it. */
export async function checkRedis(url: string): Promise<string | null> {
  const address = addressOf(url, 6379);
  const redis = connectRedis({ REDIS_URL: url, REDIS_KEY_PREFIX: '' }, 'waimai-preflight');
  let lastError: unknown;
  // Without a listener ioredis prints every failed reconnect to the console.
  redis.on('error', (err: unknown) => {
    lastError = err;
  });
  try {
    const answer = await Promise.race([
      redis.ping(),
      new Promise<never>((_, reject) => setTimeout(() => reject(lastError ?? new Error('no answer within 3 s')), 3_000).unref()),
    ]);
    if (answer !== 'PONG') return `Redis at ${address} answered PING with ${answer}.`;
    return null;
  } catch (err) {
    return (
      `Redis does not answer at ${address} (${reasonOf(lastError ?? err)}). Start it ` +
      `(\`${START_REDIS}\`), or point REDIS_URL at one that runs.`
    );
  } finally {
    redis.disconnect();
  }
}

/** Every problem with MySQL and Redis, checked together; empty when both answer. */
export async function preflight(options: PreflightOptions): Promise<string[]> {
  const [clusterNode] = options.REDIS_CLUSTER_NODES ?? [];
  const results = await Promise.all([checkMysql(options.MYSQL_URL), checkRedis(clusterNode ? `redis://${clusterNode}` : options.REDIS_URL)]);
  return results.filter((problem): problem is string => problem !== null);
}
