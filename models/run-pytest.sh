#!/usr/bin/env bash
# Runs the Python tests of the model tooling with Debian's PyTorch (/usr/bin/python3). Called by `mvn verify`
# (skip with -Dpytest.skip=true); .ci/test-packages.sh installs the packages first.
set -euo pipefail
cd "$(dirname "$0")"
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider tests "$@"
