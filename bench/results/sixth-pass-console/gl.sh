#!/bin/bash
LOG=$1
for i in $(seq 1 200); do grep -q "Timed:" $LOG && break; sleep 1; done
sleep 12
rm -f /tmp/gl.log
mysql -uroot -h127.0.0.1 -e "SET GLOBAL general_log_file='/tmp/gl.log'; SET GLOBAL log_output='FILE'; SET GLOBAL general_log=1;"
sleep 3
mysql -uroot -h127.0.0.1 -e "SET GLOBAL general_log=0;"
echo done
