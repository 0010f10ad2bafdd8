import { parseArgs } from 'node:util';
import { authConfig, mintToken, Roles, type Role } from '@waimai/platform';
import { configOrExit, loadDotEnv, messageOf, scriptLog } from './lib/script-env';

const usage = `pnpm -s token --sub ID --roles ROLE[,ROLE] [--ttl 12h]

Prints a client JWT (HS256, signed with JWT_SECRET) for the user ID with those roles.
Roles: ${Roles.join(', ')}. --ttl takes jose durations: 30m, 12h, 7d, or seconds.
Example: curl -H "Authorization: Bearer $(pnpm -s token --sub alice --roles CUSTOMER)" ...`;

function isRole(value: string): value is Role {
  return (Roles as readonly string[]).includes(value);
}

async function main(): Promise<number> {
  loadDotEnv();
  const log = scriptLog('token');
  const args = process.argv.slice(2);
  if (args[0] === '--') args.shift();
  let values: { sub?: string; roles?: string; ttl: string; help: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        sub: { type: 'string' },
        roles: { type: 'string' },
        ttl: { type: 'string', default: '12h' },
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
  const problems: string[] = [];
  const sub = values.sub?.trim() ?? '';
  if (!sub || sub.length > 128) problems.push('--sub is required: the user id, 1..128 characters.');
  const roles = (values.roles ?? '').split(',').map((role) => role.trim().toUpperCase()).filter(Boolean);
  if (!roles.length) problems.push(`--roles is required: one or more of ${Roles.join(', ')}, comma-separated.`);
  const unknown = roles.filter((role) => !isRole(role));
  if (unknown.length) problems.push(`Unknown role ${unknown.join(', ')}; roles are ${Roles.join(', ')}.`);
  const ttl = /^\d+$/.test(values.ttl) ? `${values.ttl}s` : values.ttl;
  if (problems.length) {
    log.error(`${problems.join('\n')}\n\n${usage}`);
    return 2;
  }
  const { JWT_SECRET } = configOrExit(authConfig, log);
  try {
    process.stdout.write(`${await mintToken(JWT_SECRET, { sub, roles: roles.filter(isRole) }, ttl)}\n`);
  } catch (err) {
    log.error(`--ttl ${values.ttl}: ${messageOf(err)} (use e.g. 30m, 12h, 7d).`);
    return 2;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    scriptLog('token').error(messageOf(err));
    process.exit(1);
  },
);
