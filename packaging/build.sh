#!/usr/bin/env bash
# Build the one-folder bundle dist/mpsystem/ on Linux, from a fresh clone, in one command.
#   packaging/build.sh              the release build
#   MPSYSTEM_BUILD_DEBUG=1 packaging/build.sh   a console build that traces imports
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/dev.sh setup
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[build]"
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/mpsystem.spec
echo "Built dist/mpsystem/ ($(du -sh dist/mpsystem | cut -f1)); run dist/mpsystem/mpsystem self-test to check it."
