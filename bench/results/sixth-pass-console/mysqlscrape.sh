#!/bin/bash
# every 2 s: timestamp, last bench log line, mysql counters
LOG=$1
for i in $(seq 1 150); do
  c=$(mysql -uroot -h127.0.0.1 -N -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions','Com_commit','Com_begin','Com_select','Com_insert','Com_update','Com_delete','Com_set_option','Com_stmt_execute','Com_insert_select')" 2>/dev/null | awk '{printf "%s=%s ", $1, $2}')
  echo "$(date +%s) | $(tail -1 $LOG | cut -c1-60) | $c"
  sleep 2
done
