#!/usr/bin/env bash
# The main job on the embedded default: start the private database, migrate, and show its state.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build --show-bin-path)/opsbrain"

"$bin" db start
"$bin" db status
echo
echo "Connection string: $("$bin" db url)"
echo "The embedded cluster keeps running for the next command; stop it with: $bin db stop"
