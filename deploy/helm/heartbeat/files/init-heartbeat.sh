#!/bin/sh
# Creates what the services need in Postgres before their first start (the local stack's PostgresNode.provision, for
# a real server): the database heartbeat, one login role per service owning a schema of the same name and nothing
# else, and grafana_reader, a role that may only read the telemetry history (ingest.telemetry) and the commands
# (command.command) for the dashboards. Idempotent; a second run updates the passwords.
#
# Connection: the PG* environment variables of psql (PGHOST, PGPORT, PGUSER, PGPASSWORD), as an administrator. In
# the postgres image's /docker-entrypoint-initdb.d it runs over the local socket.
# Passwords (required): HEARTBEAT_DB_PASSWORD_REGISTRY, _INGEST, _MONITOR, _COMMAND and _GRAFANA.
set -eu
DATABASE="${HEARTBEAT_DB_NAME:-heartbeat}"

psql -v ON_ERROR_STOP=1 -v db="$DATABASE" -d postgres <<'SQL'
SELECT format('CREATE DATABASE %I', :'db') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')\gexec
SQL

role() {
    # $1 role, $2 password
    psql -v ON_ERROR_STOP=1 -v role="$1" -v pw="$2" -d postgres <<'SQL'
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role')\gexec
SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'role', :'pw')\gexec
SQL
}

role registry "$HEARTBEAT_DB_PASSWORD_REGISTRY"
role ingest "$HEARTBEAT_DB_PASSWORD_INGEST"
role monitor "$HEARTBEAT_DB_PASSWORD_MONITOR"
role command "$HEARTBEAT_DB_PASSWORD_COMMAND"
role grafana_reader "$HEARTBEAT_DB_PASSWORD_GRAFANA"

psql -v ON_ERROR_STOP=1 -v db="$DATABASE" -d "$DATABASE" <<'SQL'
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db')\gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', :'db', s)
  FROM unnest(ARRAY['registry', 'ingest', 'monitor', 'command']) AS s\gexec
SELECT format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', s, s)
  FROM unnest(ARRAY['registry', 'ingest', 'monitor', 'command']) AS s\gexec
SELECT format('ALTER ROLE %I IN DATABASE %I SET search_path = %I', s, :'db', s)
  FROM unnest(ARRAY['registry', 'ingest', 'monitor', 'command']) AS s\gexec
-- the dashboards' reader: the telemetry history and the commands, read only; tables Flyway creates later (as the
-- schema's owner) are covered by the default privileges
SELECT format('GRANT CONNECT ON DATABASE %I TO grafana_reader', :'db')\gexec
GRANT USAGE ON SCHEMA ingest, command TO grafana_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA ingest, command TO grafana_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE ingest IN SCHEMA ingest GRANT SELECT ON TABLES TO grafana_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE command IN SCHEMA command GRANT SELECT ON TABLES TO grafana_reader;
ALTER ROLE grafana_reader SET default_transaction_read_only = on;
SQL
echo "heartbeat: database $DATABASE, service roles and schemas ready"
