#!/usr/bin/env bash
# Installs the Debian packages UsageFlow builds and tests against, when any is missing.
# Sourced by the build and test scripts; safe to run again (it installs nothing that is present).
set -euo pipefail

USAGEFLOW_APT_PACKAGES=(
    libnghttp2-dev libssl-dev libsqlite3-dev zlib1g-dev pkg-config
    protobuf-compiler libprotobuf-dev grpc-proto
)

usageflow_install_system_packages() {
    local missing=()
    for package in "${USAGEFLOW_APT_PACKAGES[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if [ ${#missing[@]} -eq 0 ]; then return 0; fi
    echo "installing system packages: ${missing[*]}"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

usageflow_require_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        if [ -x /opt/swift/usr/bin/swift ]; then
            export PATH="/opt/swift/usr/bin:$PATH"
        else
            echo "swift 6 is required (https://www.swift.org/install/linux/); it was not found on PATH" >&2
            exit 1
        fi
    fi
}
