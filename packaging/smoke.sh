#!/usr/bin/env bash
# Build the bundle, then check it as IT would: --version, self-test offscreen, and time to the login dialog.
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
