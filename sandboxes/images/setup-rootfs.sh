#!/bin/sh
# Runs inside the freshly debootstrapped root file system (chroot), as root.
# Adds the unprivileged lab user, prepares a PostgreSQL cluster that containers copy into
# their tmpfs at start (initdb per start would cost seconds), and trims what a sandbox never
# needs. The Dockerfile runs this same script, so both build paths give the same image.
set -eu

APP_UID=10001
groupadd --gid "$APP_UID" lab
useradd --uid "$APP_UID" --gid "$APP_UID" --no-create-home --home-dir /tmp --shell /bin/sh lab

# Learner code lands here (a per-session volume); root-owned so the app cannot rewrite it.
mkdir -p /app
chmod 0755 /app

# The Debian package's own cluster and service scripts are of no use in a container.
rm -rf /var/lib/postgresql/* /etc/postgresql/*
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
for tool in postgres initdb pg_ctl; do ln -sf "$PGBIN/$tool" "/usr/local/bin/$tool"; done

TEMPLATE=/var/lib/archlab/pgtemplate
mkdir -p /var/lib/archlab
install -d -o "$APP_UID" -g "$APP_UID" -m 0700 "$TEMPLATE"
su -s /bin/sh lab -c "initdb -D $TEMPLATE -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null"
echo "CREATE ROLE lab LOGIN PASSWORD 'lab'" | su -s /bin/sh lab -c "postgres --single -D $TEMPLATE postgres >/dev/null"
echo "CREATE DATABASE lab OWNER lab" | su -s /bin/sh lab -c "postgres --single -D $TEMPLATE postgres >/dev/null"
cat > "$TEMPLATE/pg_hba.conf" <<'HBA'
local all all trust
host  all all 0.0.0.0/0 scram-sha-256
HBA

apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/* /usr/share/doc/* /usr/share/man/* \
    /usr/share/locale/* /var/log/*.log /tmp/*
