#!/usr/bin/env bash
# Builds, starts a throwaway PostgreSQL for the tests, runs every test, and stops it again.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build --build-tests
bin="$(swift build --show-bin-path)/opsbrain"

# The throwaway cluster lives in a temp folder that PostgreSQL's service user can reach.
root=$(mktemp -d /tmp/opsbrain-test.XXXXXX)
chmod 755 "$root"
unset DATABASE_URL OPSBRAIN_CONFIG PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGSERVICE PGPASSWORD
cleanup() {
    XDG_DATA_HOME="$root/data" "$bin" db stop >/dev/null 2>&1 || true
    rm -rf "$root"
}
trap cleanup EXIT

XDG_DATA_HOME="$root/data" "$bin" db start
OPSBRAIN_TEST_DATABASE_URL=$(XDG_DATA_HOME="$root/data" "$bin" db url)
export OPSBRAIN_TEST_DATABASE_URL
export OPSBRAIN_BIN="$bin"

swift test --disable-swift-testing "$@"
