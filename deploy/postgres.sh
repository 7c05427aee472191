#!/bin/sh
# PostgreSQL of the compose stack, from the archlab image (which stands on the lab runtime
# image, so no postgres image comes from a registry). The first start makes the cluster in
# the volume (user, password and database from POSTGRES_*); every start then runs the
# server in the foreground as the unprivileged lab user.
set -eu
PGDATA=/var/lib/archlab/pgdata
mkdir -p "$PGDATA"
chown 10001:10001 "$PGDATA"
chmod 0700 "$PGDATA"
as_lab() { setpriv --reuid=10001 --regid=10001 --clear-groups "$@"; }
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  password=$(mktemp)
  printf '%s' "$POSTGRES_PASSWORD" > "$password"
  chown 10001:10001 "$password"
  as_lab initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$password" -E UTF8 \
    --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$password"
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$PGDATA/pg_hba.conf"
  echo "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$POSTGRES_USER\"" \
    | as_lab postgres --single -D "$PGDATA" postgres >/dev/null
fi
exec setpriv --reuid=10001 --regid=10001 --clear-groups \
  postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/tmp
