#!/bin/sh
# Run once by the postgres image when its data volume is first initialised
# (/docker-entrypoint-initdb.d): a login for Grafana that may only read what axiswatch serve
# writes (the tables serve creates later are covered by the default privileges).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<EOSQL
CREATE ROLE grafana_reader LOGIN PASSWORD '${GRAFANA_DB_PASSWORD}';
GRANT CONNECT ON DATABASE "${POSTGRES_DB}" TO grafana_reader;
GRANT USAGE ON SCHEMA public TO grafana_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE "${POSTGRES_USER}" IN SCHEMA public
    GRANT SELECT ON TABLES TO grafana_reader;
EOSQL
