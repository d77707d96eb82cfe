#!/usr/bin/env bash
# Installs the system packages Ops Brain needs to build and test, only when something is missing.
# Runs apt-get through sudo when not root. Swift itself must already be installed.
set -euo pipefail

# Build: PostgreSQL (server + libpq), ncurses, libcurl. Tests and the demo sandbox: real Redis, Prometheus, Alertmanager, tmux, python3.
# The stock profile (sandbox/stock): nginx, prometheus-nginx-exporter and psycopg2 for its Python service.
packages=(postgresql libncursesw5-dev libpq-dev libcurl4-openssl-dev pkg-config
          redis-server prometheus prometheus-alertmanager tmux python3 openssl wrk
          nginx prometheus-nginx-exporter python3-psycopg2)

if ! command -v swift >/dev/null 2>&1; then
    echo "setup: swift is not on PATH; install the Swift 6 toolchain first (https://www.swift.org/install/)" >&2
    exit 1
fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: not root and no sudo: install ${missing[*]} by hand" >&2; exit 1; }
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends "${missing[@]}"
# Debian's postgresql and nginx packages may start system services; Ops Brain's profiles run their own, so leave them be.
