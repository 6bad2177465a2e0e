#!/usr/bin/env bash
# Makes sure the Debian packages the test suite needs are installed: Debian's PyTorch and scikit-image for the
# Python tests (/usr/bin/python3), and Xvfb for the ImageJ 1.x install test (its dialogs need AWT even in macro
# mode). Run by `mvn verify` before the tests; as root it installs what is missing, otherwise it names the command.
set -euo pipefail
missing=()
/usr/bin/python3 -c "import torch" 2>/dev/null || missing+=(python3-torch)
/usr/bin/python3 -c "import skimage" 2>/dev/null || missing+=(python3-skimage)
/usr/bin/python3 -c "import pytest" 2>/dev/null || missing+=(python3-pytest)
command -v xvfb-run >/dev/null || missing+=(xvfb)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "installing ${missing[*]} (Debian packages the tests need)"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
else
	echo "The tests need Debian packages: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
