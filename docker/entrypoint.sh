#!/bin/sh
# Runs one waimai process of the compiled runtime: the first argument, else $SERVICE.
set -e
service="${1:-${SERVICE:-}}"
[ "$#" -gt 0 ] && shift
case "$service" in
  gateway)
    cd /app/gateway && exec node --enable-source-maps src/index.js "$@" ;;
  products|orders|payments|riders|operations)
    cd "/app/subgraphs/$service" && exec node --enable-source-maps src/index.js "$@" ;;
  migrate)
    cd /app && exec node --enable-source-maps scripts/migrate.js "$@" ;;
  seed)
    cd /app && exec node --enable-source-maps scripts/seed.js "$@" ;;
  *)
    echo "Which process? Pass one of gateway, products, orders, payments, riders, operations, migrate, seed (or set SERVICE); got '${service}'." >&2
    exit 64 ;;
esac
