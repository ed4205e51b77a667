#!/usr/bin/env bash
# Makes sure a Python with the pinned test packages (Tests/Interop/requirements.txt) exists and
# prints its path on stdout; progress goes to stderr. Installs with pip when packages are missing,
# falling back to a venv in .build/ when the system Python is externally managed (PEP 668).
#
# Usage: python="$(scripts/python-env.sh)"     Environment: PYTHON (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."

requirements=Tests/Interop/requirements.txt
python="${PYTHON:-python3}"
venv=.build/interop-venv

# True when every pinned requirement is installed at its pinned version.
requirements_met() {
    "$1" - "$requirements" <<'PY'
import sys
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
    print("python-env: missing Python packages: " + ", ".join(missing), file=sys.stderr)
    sys.exit(1)
PY
}

if requirements_met "$python" 2>/dev/null; then
    echo "$python"
    exit 0
fi
if [ -x "$venv/bin/python" ] && requirements_met "$venv/bin/python" 2>/dev/null; then
    echo "$venv/bin/python"
    exit 0
fi
echo "== pip install -r $requirements" >&2
if ! "$python" -m pip install -q --disable-pip-version-check -r "$requirements" >&2; then
    echo "== pip refused; installing into $venv" >&2
    [ -x "$venv/bin/python" ] || "$python" -m venv "$venv" >&2
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements" >&2
    python="$venv/bin/python"
fi
requirements_met "$python"
echo "$python"
