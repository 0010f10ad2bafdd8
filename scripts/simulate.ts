import { parseArgs } from 'node:util';
import { authConfig, paymentsConfig, servicePortsConfig } from '@waimai/platform';
import { configOrExit, loadDotEnv, messageOf, scriptLog } from './lib/script-env';
import { startCity, type CityOptions, type CityStats, type OrderCounts } from './lib/simulator';

const usage = `pnpm simulate [options]

Makes the demo city live through the public API of a running platform (\`pnpm start\` first):
customers order from the demo shops and pay (some payments fail, some are abandoned), riders
ride the streets reporting their location in batches, grab offers (some hesitate, some let them
pass), pick up and deliver (some late, so the platform compensates). Progress is shown until the
duration ends or Ctrl-C. Only this machine (127.0.0.1) is ever called.

  --url URL            the gateway (default http://127.0.0.1:GATEWAY_PORT)
  --rate N             new orders per minute, on average (default 4)
  --riders N           simulated riders (default 24)
  --customers N        customers the orders are spread over (default 20, or rate/4 when more)
  --duration D         stop after D: seconds, or 90s, 10m, 2h (default 30m, at most 24h)
  --max-orders N       no new order after N (default 10000)
  --seed N             seeds every random choice (default 1)
  --time-scale X       people move and decide X times faster (default 1); the platform's timers are its own
  --fail S             share of orders whose first payment fails (default 0.1)
  --abandon S          share of orders never paid (default 0.05)
  --late S             share of deliveries that arrive late (default 0.1)
  --miss S             share of offers riders let pass (default 0.15)
  --hesitate S         share of offers riders hesitate on (default 0.25)
  --report-every MS    ms between a rider's location batches (default 5000)
  --json               print the final counters as JSON on stdout
  -h, --help`;

const log = scriptLog('simulate');

function seconds(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`--duration ${text}: use seconds, or a number with s, m or h (90s, 10m, 2h).`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600 }[(match[2] ?? 's') as 's' | 'm' | 'h'];
}

function number(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`--${name} ${text} is not a number.`);
  return value;
}

const STATUS_COLUMNS: Array<[keyof OrderCounts, string]> = [
  ['placed', 'placed'],
  ['paid', 'paid'],
  ['paymentFailed', 'pay failed'],
  ['abandoned', 'abandoned'],
  ['cancelled', 'cancelled'],
  ['offered', 'offered'],
  ['grabbed', 'grabbed'],
  ['pickedUp', 'picked up'],
  ['delivered', 'delivered'],
  ['late', 'late'],
  ['compensated', 'compensated'],
];

/** The progress block: orders per minute and totals by status, offers, riders, errors. */
export function describeStats(stats: CityStats): string[] {
  const minutes = Math.floor(stats.elapsedSeconds / 60);
  const clock = `${minutes}m${String(stats.elapsedSeconds % 60).padStart(2, '0')}s`;
  const header = STATUS_COLUMNS.map(([, label]) => label.padStart(Math.max(label.length, 6))).join(' ');
  const row = (counts: OrderCounts) => STATUS_COLUMNS.map(([key, label]) => String(counts[key]).padStart(Math.max(label.length, 6))).join(' ');
  const { offers, riders, errors } = stats;
  const codes = Object.entries(errors.byCode).map(([code, count]) => `${code} ${count}`).join(', ');
  return [
    `waimai city simulator  ${clock}${stats.running ? '' : '  (stopped)'}   Ctrl-C stops`,
    `orders         ${header}`,
    `  last minute  ${row(stats.lastMinute)}`,
    `  total        ${row(stats.orders)}`,
    `  out of stock ${stats.orders.outOfStock}`,
    `offers         received ${offers.received}, let pass ${offers.ignored}, grabs tried ${offers.grabAttempts}: won ${offers.grabsWon}, lost the race ${offers.grabsLost}, too late ${offers.grabsTooLate}`,
    `riders         ${riders.total}: ${riders.connected} listening, ${riders.idle} idle, ${riders.delivering} delivering; ${riders.locationBatches} location batches, ${riders.locationPoints} points`,
    `errors         ${errors.total}${codes ? ` (${codes})` : ''}; ${errors.retried} calls tried again (SERVICE_UNAVAILABLE, RATE_LIMITED)`,
    ...(errors.recent.length ? [`  last: ${errors.recent[errors.recent.length - 1]}`] : []),
  ];
}

async function main(): Promise<number> {
  loadDotEnv();
  const args = process.argv.slice(2).filter((arg) => arg !== '--');
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        url: { type: 'string' },
        rate: { type: 'string' },
        riders: { type: 'string' },
        customers: { type: 'string' },
        duration: { type: 'string', default: '30m' },
        'max-orders': { type: 'string' },
        seed: { type: 'string' },
        'time-scale': { type: 'string' },
        fail: { type: 'string' },
        abandon: { type: 'string' },
        late: { type: 'string' },
        miss: { type: 'string' },
        hesitate: { type: 'string' },
        'report-every': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    log.error(`${messageOf(err)}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const config = configOrExit(authConfig.extend(paymentsConfig.shape).extend(servicePortsConfig.shape), log);
  let options: CityOptions;
  try {
    options = {
      gatewayUrl: values.url ?? `http://127.0.0.1:${config.GATEWAY_PORT}`,
      jwtSecret: config.JWT_SECRET,
      webhookSecret: config.PAYMENT_WEBHOOK_SECRET,
      ordersPerMinute: number('rate', values.rate),
      riders: number('riders', values.riders),
      customers: number('customers', values.customers),
      durationSeconds: seconds(values.duration),
      maxOrders: number('max-orders', values['max-orders']),
      seed: number('seed', values.seed),
      timeScale: number('time-scale', values['time-scale']),
      paymentFailureShare: number('fail', values.fail),
      abandonShare: number('abandon', values.abandon),
      lateShare: number('late', values.late),
      missShare: number('miss', values.miss),
      hesitateShare: number('hesitate', values.hesitate),
      reportEveryMs: number('report-every', values['report-every']),
    };
  } catch (err) {
    log.error(messageOf(err));
    return 2;
  }

  log.info(`Starting the city against ${options.gatewayUrl} …`);
  let city;
  try {
    city = await startCity(options);
  } catch (err) {
    log.error(`${messageOf(err)} (is the platform running? \`pnpm start\` starts it)`);
    return 1;
  }

  const live = process.stderr.isTTY === true;
  let drawn = 0;
  const draw = () => {
    const lines = describeStats(city.stats());
    if (live) {
      // Back to the top of the previous block, then each line cleared and written again.
      process.stderr.write(`${drawn ? `\x1b[${drawn}F` : ''}${lines.map((line) => `\x1b[2K${line}`).join('\n')}\n`);
      drawn = lines.length;
    } else {
      const { orders, errors } = city.stats();
      log.info(`${city.stats().elapsedSeconds}s: placed ${orders.placed}, paid ${orders.paid}, offered ${orders.offered}, grabbed ${orders.grabbed}, delivered ${orders.delivered} (late ${orders.late}), errors ${errors.total}`);
    }
  };
  // 1 s on a terminal; 10 s into a log file.
  const display = setInterval(draw, live ? 1000 : 10_000);
  let firstSignalAt = 0;
  const onSignal = () => {
    if (firstSignalAt) {
      // The same Ctrl-C can arrive twice (from the terminal and relayed by tsx): only a second
      // press, a moment later, means "now".
      if (Date.now() - firstSignalAt < 1000) return;
      process.exit(130);
    }
    firstSignalAt = Date.now();
    log.info('Stopping: riders go offline, sockets close (Ctrl-C again to quit at once) …');
    void city.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const final = await city.finished;
  clearInterval(display);
  if (live) draw();
  else process.stderr.write(`${describeStats(final).join('\n')}\n`);
  if (values.json) process.stdout.write(`${JSON.stringify(final, null, 2)}\n`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      log.error(messageOf(err));
      process.exit(1);
    },
  );
}
