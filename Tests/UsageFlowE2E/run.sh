#!/usr/bin/env bash
# End-to-end tests: builds the `usageflow` executable and runs the Python suite (Tests/UsageFlowE2E)
# against `usageflow serve` over TLS, with grpcio stubs generated from Protos/ and with the CLI.
# Uses the Python packages of the interop suite (Tests/Interop/requirements.txt), installing them
# when missing. Extra arguments go to pytest.
#
# Environment: PYTHON (default python3), USAGEFLOW_BIN (skip the build and test this binary),
# USAGEFLOW_BUILD_CONFIGURATION (debug or release; default debug).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/system-packages.sh
usageflow_install_system_packages openssl
# LibreOffice Calc re-saves workbooks for test_usage_libreoffice.py, which is skipped without it.
usageflow_install_system_packages libreoffice-calc-nogui \
    || echo "usageflow e2e: LibreOffice could not be installed; its workbook tests will be skipped" >&2
usageflow_require_swift

python="$(scripts/python-env.sh)"

if [ -z "${USAGEFLOW_BIN:-}" ]; then
    configuration="${USAGEFLOW_BUILD_CONFIGURATION:-debug}"
    echo "== swift build -c $configuration --product usageflow"
    swift build -c "$configuration" --product usageflow
    USAGEFLOW_BIN="$(swift build -c "$configuration" --show-bin-path)/usageflow"
fi
export USAGEFLOW_BIN
export PYTHONDONTWRITEBYTECODE=1

echo "== pytest Tests/UsageFlowE2E (usageflow: $USAGEFLOW_BIN)"
set +e
"$python" -m pytest -q Tests/UsageFlowE2E "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "usageflow e2e: pytest collected no tests; treating that as a failure" >&2
    exit 1
fi
exit "$status"
