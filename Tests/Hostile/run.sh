#!/usr/bin/env bash
# Hostile HTTP/2 suite against interop-server.
#
#   Tests/Hostile/run.sh [pytest args...]
#
# Installs h2/pytest if missing, builds interop-server, runs pytest and exits with pytest's code
# (0 all passed, 1 some failed, 5 nothing collected, ...), or 5 if setup itself fails.
# HOSTILE_SERVER_BIN=path skips the build and tests that binary. The timeout defences run against
# servers started with short timeouts; HOSTILE_SLOW=1 adds the tests that wait for the default
# 10 s / 20 s / 30 s ones.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"

if ! "$python" -c 'import h2, hpack, pytest' 2>/dev/null; then
    echo "run.sh: installing $(tr '\n' ' ' < "$here/requirements.txt" | sed 's/#[^ ]*//g')" >&2
    "$python" -m pip install --quiet -r "$here/requirements.txt" || { echo "run.sh: pip install failed" >&2; exit 5; }
fi

cd "$repo" || exit 5
if [ -z "${HOSTILE_SERVER_BIN:-}" ]; then
    swift build --product interop-server || { echo "run.sh: swift build failed" >&2; exit 5; }
    bin_path="$(swift build --show-bin-path)" || exit 5
    HOSTILE_SERVER_BIN="$bin_path/interop-server"
fi
export HOSTILE_SERVER_BIN
[ -x "$HOSTILE_SERVER_BIN" ] || { echo "run.sh: $HOSTILE_SERVER_BIN missing" >&2; exit 5; }

"$python" -m pytest "$here" -p no:cacheprovider -rfEs "$@"
exit $?
