#!/usr/bin/env bash
# Interop tests: builds interop-server and runs the Python gRPC interop suite (Tests/Interop)
# against it over TLS, h2c and mTLS. Installs the pinned Python packages only when they are
# missing. Extra arguments go to pytest (e.g. `Tests/Interop/run.sh -k shutdown -x`).
#
# Environment: PYTHON (default python3), INTEROP_SERVER (skip the build and test this binary),
# INTEROP_BUILD_CONFIGURATION (debug or release; default debug).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/system-packages.sh
usageflow_install_system_packages openssl
usageflow_require_swift

requirements=Tests/Interop/requirements.txt
python="${PYTHON:-python3}"

# True when every pinned requirement is installed at its pinned version.
requirements_met() {
    "$1" - "$requirements" <<'PY'
import re, sys
from importlib import metadata
missing = []
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    name, _, version = line.partition("==")
    try:
        installed = metadata.version(name)
    except metadata.PackageNotFoundError:
        installed = None
    if installed != version:
        missing.append(f"{name}=={version} (have {installed})")
if missing:
    print("interop: missing Python packages: " + ", ".join(missing))
    sys.exit(1)
PY
}

if ! requirements_met "$python" >/dev/null 2>&1; then
    requirements_met "$python" || true
    echo "== pip install -r $requirements"
    if ! "$python" -m pip install -q --disable-pip-version-check -r "$requirements"; then
        # An externally managed Python (PEP 668) refuses global installs: use a venv of our own.
        venv=.build/interop-venv
        echo "== pip refused; installing into $venv"
        [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
        "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements"
        python="$venv/bin/python"
    fi
    requirements_met "$python"
fi

if [ -z "${INTEROP_SERVER:-}" ]; then
    configuration="${INTEROP_BUILD_CONFIGURATION:-debug}"
    echo "== swift build -c $configuration --product interop-server"
    swift build -c "$configuration" --product interop-server
    INTEROP_SERVER="$(swift build -c "$configuration" --show-bin-path)/interop-server"
fi
export INTEROP_SERVER
export PYTHONDONTWRITEBYTECODE=1

echo "== pytest Tests/Interop (server: $INTEROP_SERVER)"
set +e
"$python" -m pytest -q Tests/Interop "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "interop: pytest collected no tests; treating that as a failure" >&2
    exit 1
fi
exit "$status"
