#!/usr/bin/env bash
# The one test command (README, CI): formatting, lints, unit tests, the integration suite on SQLite and on
# a real PostgreSQL server, and the browser tests in Debian's Chromium. It installs and starts what it
# needs (Debian packages, the PostgreSQL cluster, the npm packages), so it passes on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql postgresql-contrib)
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "==> starting PostgreSQL"
pgver=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$pgver main"; then
  as_root pg_createcluster "$pgver" main >/dev/null
fi
as_root pg_ctlcluster "$pgver" main start 2>/dev/null || true
for _ in $(seq 1 30); do
  as_root su postgres -c "pg_isready -q" && break
  sleep 1
done
pg_port=$(pg_lsclusters -h | awk -v v="$pgver" '$1 == v && $2 == "main" {print $3}')
as_root su postgres -c "psql -q -p $pg_port -tAc \"SELECT 1 FROM pg_roles WHERE rolname = 'firelaw_test'\"" | grep -q 1 ||
  as_root su postgres -c "psql -q -p $pg_port -c \"CREATE ROLE firelaw_test LOGIN CREATEDB PASSWORD 'firelaw_test'\""
pg_url="postgres://firelaw_test:firelaw_test@127.0.0.1:$pg_port/postgres"

echo "==> starting an S3-compatible server (moto)"
python3 -c "import moto.server, flask_cors" 2>/dev/null ||
  python3 -m pip install --quiet --disable-pip-version-check 'moto[server]==5.2.1'
s3_port=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
python3 -m moto.server -H 127.0.0.1 -p "$s3_port" >/tmp/firelaw-moto-$$.log 2>&1 &
moto_pid=$!
trap 'kill $moto_pid 2>/dev/null || true' EXIT
export TEST_S3_ENDPOINT="http://127.0.0.1:$s3_port"
python3 - "$TEST_S3_ENDPOINT/firelaw-test" <<'PY'
import sys, time, urllib.request
for _ in range(60):
    try:
        urllib.request.urlopen(urllib.request.Request(sys.argv[1], method="PUT"), timeout=2)
        break
    except OSError:
        time.sleep(0.5)
else:
    sys.exit("the S3 test server did not start")
PY

echo "==> cargo fmt"
cargo fmt --all -- --check
echo "==> cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

echo "==> unit and integration tests (SQLite)"
cargo test --workspace

echo "==> integration tests (PostgreSQL $pgver, files in S3)"
TEST_DATABASE_URL="$pg_url" TEST_FILES=s3 cargo test -p firelaw --test api

echo "==> browser tests (Playwright + Chromium), on PostgreSQL with files in S3 and on SQLite"
cargo build -p firelaw
e2e_db="firelaw_e2e_$(date +%s)_$$"
as_root su postgres -c "psql -q -p $pg_port -c \"CREATE DATABASE $e2e_db OWNER firelaw_test ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0\""
(cd e2e && npm ci --no-audit --no-fund --silent &&
  FIRELAW_E2E_DATABASE_URL="postgres://firelaw_test:firelaw_test@127.0.0.1:$pg_port/$e2e_db" \
    FIRELAW_S3_URL="s3://firelaw-test/e2e-$e2e_db" FIRELAW_S3_ENDPOINT="$TEST_S3_ENDPOINT" \
    AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test npm test &&
  npm test)
