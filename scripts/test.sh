#!/usr/bin/env bash
# The whole test suite: installs missing system packages, checks that generated code is current,
# runs the official protobuf conformance suite, every Swift test, then the Python interop and hostile-client suites.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/system-packages.sh
usageflow_install_system_packages
usageflow_require_swift

echo "== ProtoGen --check"
swift run -q ProtoGen --check

echo "== protobuf conformance (official runner, built from Debian's protobuf source package)"
CONFORMANCE_MIN_PROTO2="${CONFORMANCE_MIN_PROTO2:-651}" scripts/conformance/run.sh

echo "== swift test"
swift test

echo "== interop tests (Python grpcio against interop-server)"
Tests/Interop/run.sh

echo "== hostile HTTP/2 clients (Python h2 against interop-server)"
Tests/Hostile/run.sh -q
