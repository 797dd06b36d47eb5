#!/usr/bin/env bash
# Installs every Debian (and npm) package Samsa needs to build, run and test.
# A no-op when everything is already present. Needs root (or sudo) only when something is missing.
set -euo pipefail

usage() {
    cat <<USAGE
Usage: scripts/install-deps.sh [--build-only] [--help]
  Installs the Debian 12 packages Samsa needs, then kafkajs and @cdktf/hcl2json
  (the offline Terraform check) for the tests (npm, into tests/js).
  --build-only   only what building and running the broker needs (no test clients)
USAGE
}

build_only=0
for arg in "$@"; do
    case "$arg" in
        --build-only) build_only=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install-deps.sh: unknown argument '$arg'" >&2; usage >&2; exit 2 ;;
    esac
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

build_pkgs=(
    build-essential cmake ninja-build ccache pkg-config python3
    libboost1.81-dev libboost-program-options1.81-dev libboost-json1.81-dev
    libzookeeper-mt-dev zookeeper
    libssl-dev libspdlog-dev libfmt-dev
    zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev
)
test_pkgs=(
    libgtest-dev libgmock-dev
    clang libclang-rt-14-dev clang-format-14
    kcat librdkafka-dev
    python3-confluent-kafka python3-kafka python3-kazoo python3-yaml
    nodejs npm
    chromium
)

pkgs=("${build_pkgs[@]}")
[ "$build_only" -eq 1 ] || pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
    # Node.js may come from outside Debian (e.g. nodesource); a working node/npm is enough.
    if [ "$p" = nodejs ] && command -v node >/dev/null; then continue; fi
    if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's zookeeper package enables a system service on install; Samsa runs its own ZooKeeper
# instances (scripts/zookeeper-server-start.sh), so keep the packaged one from holding port 2181.
if [ "${#missing[@]}" -gt 0 ] && printf '%s\n' "${missing[@]}" | grep -qx zookeeper; then
    if command -v systemctl >/dev/null && systemctl is-active --quiet zookeeper 2>/dev/null; then
        systemctl stop zookeeper || true
        systemctl disable zookeeper >/dev/null 2>&1 || true
    fi
fi

if [ "$build_only" -eq 0 ] && [ -f "$root/tests/js/package.json" ]; then
    if [ ! -d "$root/tests/js/node_modules/kafkajs" ] ||
        [ ! -d "$root/tests/js/node_modules/@cdktf/hcl2json" ]; then
        echo "install-deps: installing kafkajs and @cdktf/hcl2json (npm)"
        (cd "$root/tests/js" && npm ci --no-audit --no-fund --loglevel=error)
    fi
fi
echo "install-deps: all dependencies present"
