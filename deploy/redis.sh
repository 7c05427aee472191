#!/bin/sh
# Redis of the compose stack, from the archlab image (no redis image from a registry): the
# append-only file in the volume, so queued jobs survive a restart (the database is the
# truth either way: the janitor re-queues what Redis lost).
set -eu
mkdir -p /data
chown 10001:10001 /data
exec setpriv --reuid=10001 --regid=10001 --clear-groups \
  redis-server --bind 0.0.0.0 --protected-mode no --port 6379 --dir /data --appendonly yes
