#!/usr/bin/env sh
# Writes the compose stack's secret files under deploy/compose/secrets (never committed): a
# random PostgreSQL password and the database URL using it, a token signing secret, a Grafana
# admin password, and an empty worker token to replace with an API key (deploy/README.md).
# Existing files are kept.
set -eu
cd "$(dirname "$0")"
umask 077
mkdir -p secrets
make() { [ -s "secrets/$1" ] || printf '%s' "$2" > "secrets/$1"; }
random() { openssl rand -hex "$1"; }
make postgres_password "$(random 24)"
make database_url "postgres://ltb:$(cat secrets/postgres_password)@postgres:5432/ltb"
make jwt_secret "$(random 48)"
make grafana_admin_password "$(random 16)"
[ -e secrets/worker_token ] || : > secrets/worker_token
echo "secrets in $(pwd)/secrets"
