#!/usr/bin/env bash
# Builds UsageFlow (release) and serves it with demo data: installs missing Debian packages, makes
# development certificates when certs/dev/ has none, then runs `usageflow serve --demo` on a demo
# database that is RECREATED ON EVERY RUN (.demo/usageflow.db; --demo only seeds an empty one), and
# prints the demo tenant set: ids, each party's key (shown only then) and commands to try.
#
# Extra arguments go to `usageflow serve` (e.g. --address 127.0.0.1:9443, --log-level warn).
# Environment: USAGEFLOW_DEMO_DIR (default .demo). Stop with Ctrl-C: the server drains and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/system-packages.sh
usageflow_install_system_packages openssl
usageflow_require_swift

echo "== swift build -c release --product usageflow"
swift build -c release --product usageflow
bin="$(swift build -c release --show-bin-path)/usageflow"

certs/generate-dev-certs.sh

demo_dir="${USAGEFLOW_DEMO_DIR:-.demo}"
mkdir -p "$demo_dir"
rm -f "$demo_dir/usageflow.db" "$demo_dir/usageflow.db-wal" "$demo_dir/usageflow.db-shm"
echo "== a fresh demo database: $demo_dir/usageflow.db (recreated on every run)"
echo "== in another terminal, from $(pwd):"
echo "     export PATH=\"$(dirname "$bin"):\$PATH\""
echo "   then paste the export lines of a party below and try its commands"
echo
exec "$bin" serve --demo --db "$demo_dir/usageflow.db" "$@"
