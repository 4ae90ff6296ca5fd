#!/usr/bin/env bash
# Build the one-folder bundle dist/mpsystem/ on Linux, from a fresh clone, in one command.
#   packaging/build.sh              the release build
#   MPSYSTEM_BUILD_DEBUG=1 packaging/build.sh   a console build that traces imports
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/dev.sh setup

# Qt's X11 platform plugin needs these at run time. PyInstaller copies into the bundle the libraries it
# finds on the build machine, so they must be here for the bundle to carry them to workstations.
scripts/apt-install.sh libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xkb1 \
    libxkbcommon-x11-0 libxcb-cursor0 libxcb-randr0 libxcb-shape0 libxcb-sync1 libxcb-xfixes0 libxcb-shm0 libxcb-util1
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[build]"
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/mpsystem.spec
echo "Built dist/mpsystem/ ($(du -sh dist/mpsystem | cut -f1)); run dist/mpsystem/mpsystem self-test to check it."
