#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image: the Debian/Ubuntu
# packages the lab's backing services need, then archlab (bundled in archlab/) in a venv.
# ARCHLAB_AUTOGRADER_ROOT stands in for /autograder when the bundle is tried locally.
set -euo pipefail
ROOT="${ARCHLAB_AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"

apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
  python3 python3-venv ca-certificates $(cat "$SOURCE/apt-packages.txt")

if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "setup.sh: archlab needs Python 3.11 or newer; choose Gradescope's Ubuntu 24.04 base image" >&2
  exit 1
fi
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --quiet "$SOURCE/archlab"
