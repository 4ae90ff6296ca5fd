#!/usr/bin/env bash
# One command per job on a fresh Debian/Ubuntu machine:
#   scripts/dev.sh demo   set up, build the local demo plant and start MPSYSTEM on it
#   scripts/dev.sh test   set up everything (PostgreSQL, fonts, an X server, the virtual environment) and run all tests
#   scripts/dev.sh check  set up, then the static checks: ruff (lint and format) and mypy
#   scripts/dev.sh setup  only set up
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
PYTHON=${PYTHON:-python3}

need_system_packages() {
    local missing=()
    [ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
    command -v fc-list >/dev/null 2>&1 || missing+=(fontconfig)
    [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
    command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
    # Qt's xcb and offscreen platforms load these even without a display
    ldconfig -p | grep -q libxkbcommon.so.0 || missing+=(libxkbcommon0)
    ldconfig -p | grep -q libEGL.so.1 || missing+=(libegl1)
    ldconfig -p | grep -q libGL.so.1 || missing+=(libgl1)
    ldconfig -p | grep -q libfontconfig.so.1 || missing+=(libfontconfig1)
    ldconfig -p | grep -q libdbus-1.so.3 || missing+=(libdbus-1-3)
    $PYTHON -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
    # The desktop tests run the real client on a real X server: Xvfb, a window manager, real input
    # events, and what Qt's xcb platform loads.
    command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
    command -v openbox >/dev/null 2>&1 || missing+=(openbox)
    command -v xdotool >/dev/null 2>&1 || missing+=(xdotool)
    command -v xprop >/dev/null 2>&1 || missing+=(x11-utils)
    local lib
    for lib in libxcb-icccm4:libxcb-icccm.so.4 libxcb-keysyms1:libxcb-keysyms.so.1 libxcb-image0:libxcb-image.so.0 \
        libxcb-render-util0:libxcb-render-util.so.0 libxcb-xinerama0:libxcb-xinerama.so.0 \
        libxcb-cursor0:libxcb-cursor.so.0 libxkbcommon-x11-0:libxkbcommon-x11.so.0; do
        ldconfig -p | grep -q "${lib#*:}" || missing+=("${lib%%:*}")
    done
    printf '%s\n' "${missing[@]}"
}

setup() {
    mapfile -t missing < <(need_system_packages)
    if [ ${#missing[@]} -gt 0 ] && [ -n "${missing[0]}" ]; then
        scripts/apt-install.sh "${missing[@]}"
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        $PYTHON -m venv "$VENV"
    fi
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
    # constraints.txt pins every package, so every machine installs the same versions
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[test]"
}

case "${1:-}" in
    setup)
        setup ;;
    demo)
        setup
        shift
        exec "$VENV/bin/mpsystem" --demo "$@" ;;
    check)
        setup
        "$VENV/bin/ruff" check .
        "$VENV/bin/ruff" format --check .
        "$VENV/bin/mypy" ;;
    test)
        setup
        shift
        export QT_QPA_PLATFORM=offscreen
        export PYTHON_KEYRING_BACKEND=${PYTHON_KEYRING_BACKEND:-keyring.backends.null.Keyring}
        exec "$VENV/bin/python" -m pytest "$@" ;;
    *)
        echo "usage: scripts/dev.sh demo|test|check|setup" >&2
        exit 2 ;;
esac
