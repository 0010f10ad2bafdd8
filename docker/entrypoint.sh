#!/bin/sh
# Runs one waimai process: the first argument, else $SERVICE.
set -e
service="${1:-${SERVICE:-}}"
[ "$#" -gt 0 ] && shift
tsx=/app/node_modules/.bin/tsx
case "$service" in
  gateway)
    cd /app/gateway && exec "$tsx" src/index.ts "$@" ;;
  products|orders|payments|riders|operations)
    cd "/app/subgraphs/$service" && exec "$tsx" src/index.ts "$@" ;;
  migrate)
    cd /app && exec "$tsx" scripts/migrate.ts "$@" ;;
  seed)
    cd /app && exec "$tsx" scripts/seed.ts "$@" ;;
  *)
    echo "Which process? Pass one of gateway, products, orders, payments, riders, operations, migrate, seed (or set SERVICE); got '${service}'." >&2
    exit 64 ;;
esac
