#!/usr/bin/env bash
# Build the bundle, then check it as IT would: --version, self-test offscreen, signing in on an X
# server by typing, and the time to the login dialog.
# Prints the build time, the unpacked size and the cold start. Exit status 0 only if every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s.%N)
packaging/build.sh
built=$(date +%s.%N)
bundle=dist/mpsystem
exe="$bundle/mpsystem"

version=$("$exe" --version)
echo "$version"
[[ "$version" == "mpsystem "* ]] || { echo "smoke: unexpected --version output" >&2; exit 1; }

# A throwaway home, so the check neither reads nor leaves anyone's settings.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch" XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data" XDG_STATE_HOME="$scratch/state"
export MPSYSTEM_MACHINE_CONFIG_DIR="$scratch/machine" PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring

QT_QPA_PLATFORM=offscreen "$exe" self-test | tee "$scratch/self-test.txt"
[ "$(tail -n 1 "$scratch/self-test.txt")" = "self-test ok" ] || { echo "smoke: self-test did not pass" >&2; exit 1; }

# The X11 libraries Qt's xcb plugin loads travel inside the bundle (build.sh makes sure of it), so a
# workstation needs only its X server and OpenGL.
for lib in libxcb-icccm.so.4 libxcb-keysyms.so.1 libxcb-image.so.0 libxcb-render-util.so.0 libxcb-xkb.so.1 \
    libxkbcommon-x11.so.0 libxcb-cursor.so.0; do
    [ -e "$bundle/_internal/$lib" ] || { echo "smoke: the bundle lacks $lib" >&2; exit 1; }
done

# A real X server, as on a Linux workstation's desktop (Xvfb with a window manager, Qt's xcb platform):
# sign in to the demo plant by typing, check the main window is up and the process alive five seconds
# later, and quit with Ctrl+Q.
scripts/apt-install.sh xvfb openbox xdotool x11-utils
.venv/bin/python -m tests.desktop.bundle_sign_in "$exe" \
    || { echo "smoke: signing in to the bundle on an X server (xcb) failed" >&2; exit 1; }

# Cold start: drop the page cache first where we may (root on Linux), so the bundle is read from disk.
cold="warm"
if [ "$(id -u)" -eq 0 ] && sync && echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; then cold="cold"; fi
t0=$(date +%s.%N)
QT_QPA_PLATFORM=offscreen MPSYSTEM_EXIT_AFTER_LOGIN_SHOWN=1 "$exe"
t1=$(date +%s.%N)
warm0=$(date +%s.%N)
QT_QPA_PLATFORM=offscreen MPSYSTEM_EXIT_AFTER_LOGIN_SHOWN=1 "$exe"
warm1=$(date +%s.%N)

size_mb=$(du -sm "$bundle" | cut -f1)
python3 - "$started" "$built" "$t0" "$t1" "$warm0" "$warm1" "$size_mb" "$cold" <<'PY'
import sys
started, built, t0, t1, w0, w1, size, cold = sys.argv[1:]
print(f"BENCH bundle build time: {float(built) - float(started):.0f} s")
print(f"BENCH bundle size unpacked: {size} MB (target < 250 MB)")
print(f"BENCH bundle start to login dialog ({cold}): {float(t1) - float(t0):.2f} s (target < 2 s)")
print(f"BENCH bundle start to login dialog (warm): {float(w1) - float(w0):.2f} s")
PY
echo "smoke ok"
