#!/bin/sh
# Make sure a local PostgreSQL answers on 127.0.0.1:5432 and has the `collab` role and a
# database owned by it: `collab`, or the name given (e.g. collab_bench for `make bench`).
set -e
DB="${1:-collab}"
pg_isready -q -h 127.0.0.1 -p 5432 || {
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | tail -1)" main start
  sleep 1
  pg_isready -q -h 127.0.0.1 -p 5432
}
if psql -h 127.0.0.1 -U postgres -w -tAc 'select 1' >/dev/null 2>&1; then
  q() { psql -h 127.0.0.1 -U postgres -w -v ON_ERROR_STOP=1 -tAc "$1"; }   # trust auth (CI)
else
  q() { su postgres -c "psql -v ON_ERROR_STOP=1 -tAc \"$1\""; }            # peer auth as root
fi
[ "$(q "SELECT 1 FROM pg_roles WHERE rolname='collab'")" = 1 ] || q "CREATE ROLE collab LOGIN PASSWORD 'collab' CREATEDB"
[ "$(q "SELECT 1 FROM pg_database WHERE datname='$DB'")" = 1 ] || q "CREATE DATABASE $DB OWNER collab"
