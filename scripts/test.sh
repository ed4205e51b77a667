#!/usr/bin/env bash
# The whole test suite: installs missing system packages, checks that generated code is current,
# runs the official protobuf conformance suite, every Swift test, then the Python interop, hostile-client
# and usageflow end-to-end suites.
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
# Parameterized tests (the authorization matrix has ~2,000 cases) print a start and a pass line per
# case; those are dropped so failures and summaries stay readable. Failing cases (✘) still print.
# Tests run one at a time: the cooperative thread pool is as wide as the machine has cores (two on
# CI), and CPU-heavy synchronous tests (100,000-row workbooks, 200,000-row validations) running
# beside the transport tests would hold it for seconds, so those tests' deadlines and "handler
# started within 5 s" waits would measure the test runner, not the code. Serial takes under 2 minutes.
set +e
swift test --no-parallel 2>&1 | grep --line-buffered -Ev '^(◇|✔) Test case passing'
swift_test_status="${PIPESTATUS[0]}"
set -e
if [ "$swift_test_status" -ne 0 ]; then
    echo "swift test failed (exit $swift_test_status)" >&2
    exit "$swift_test_status"
fi

echo "== interop tests (Python grpcio against interop-server)"
Tests/Interop/run.sh

echo "== hostile HTTP/2 clients (Python h2 against interop-server)"
Tests/Hostile/run.sh -q

echo "== usageflow end to end (the server as a process, driven by Python grpcio and by the CLI)"
Tests/UsageFlowE2E/run.sh
