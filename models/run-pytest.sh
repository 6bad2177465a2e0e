#!/usr/bin/env bash
# Runs the Python tests of the model tooling with Debian's PyTorch (/usr/bin/python3), installing it first
# on a fresh machine when run as root. Called by `mvn verify` (skip with -Dpytest.skip=true).
set -euo pipefail
cd "$(dirname "$0")"
if ! /usr/bin/python3 -c "import torch, skimage, pytest" 2>/dev/null; then
	if [ "$(id -u)" = 0 ]; then
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch python3-skimage python3-pytest
	else
		echo "The Python tests need Debian's PyTorch: sudo apt-get install python3-torch python3-skimage python3-pytest" >&2
		exit 1
	fi
fi
exec /usr/bin/python3 -m pytest -q -p no:cacheprovider tests "$@"
