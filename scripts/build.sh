#!/usr/bin/env bash
# Installs missing system packages and builds every product in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/system-packages.sh
usageflow_install_system_packages
usageflow_require_swift
swift build -c release
echo "built: $(swift build -c release --show-bin-path)"
