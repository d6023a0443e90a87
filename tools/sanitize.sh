#!/usr/bin/env bash
# Builds gmmmi with AddressSanitizer and UndefinedBehaviorSanitizer, installs
# it from a copy of this tree into a temporary library, runs the test suite
# under the sanitizer runtimes and counts the sanitizer reports.
#
# Usage: tools/sanitize.sh [FILTER]
#   FILTER  optional regexp of test files, as testthat's `filter`
#           (e.g. "hostile|fuzz"); all tests by default.
# Exit status: 0 when no sanitizer report was found, 1 when some were, 2 when
# the build failed or R died before the tests finished.
#
# The sanitizer flags reach the compiler through a temporary Makevars file
# named by R_MAKEVARS_USER, so ~/.R/Makevars is neither read nor changed.
# R itself is not instrumented: the gcc runtimes are preloaded into it.
# Leak detection is off (R keeps memory to the end on purpose); errors do not
# stop the run (halt_on_error=0, with -fsanitize-recover=address), so that
# every report is counted. The log is kept: its path is printed at the end.
set -euo pipefail
filter=${1:-}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/gmmmi-sanitize.XXXXXX")
src=$work/src
lib=$work/lib
log=$work/tests.log
mkdir -p "$lib"
# GMMMI_SANITIZE_KEEP=1 keeps the instrumented library (for running other
# scripts against it, with the same LD_PRELOAD and options).
cleanup() { [ -n "${GMMMI_SANITIZE_KEEP:-}" ] || rm -rf "$src" "$lib" "$work/Makevars"; }
trap cleanup EXIT

asan=$(gcc -print-file-name=libasan.so)
ubsan=$(gcc -print-file-name=libubsan.so)
for so in "$asan" "$ubsan"; do
  [ -e "$so" ] || { echo "sanitize.sh: $so not found (is gcc's sanitizer runtime installed?)" >&2; exit 2; }
done

# SANITIZE_EXTRA adds flags, e.g. "-fsanitize=float-cast-overflow" (not part
# of gcc's "undefined": it catches casts of NaN or huge doubles to integers).
flags="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fsanitize-recover=address ${SANITIZE_EXTRA:-}"
cat >"$work/Makevars" <<MAKEVARS
CFLAGS = $flags
CXXFLAGS = $flags
CXX11FLAGS = $flags
CXX14FLAGS = $flags
CXX17FLAGS = $flags
LDFLAGS = -fsanitize=address,undefined ${SANITIZE_EXTRA:-}
MAKEVARS

start=$(date +%s)
echo "sanitize.sh: building with $flags"
if ! "$root/tools/dev-install.sh" "$lib" --makevars "$work/Makevars" --src "$src" \
     --log "$work/install.log"; then
  echo "sanitize.sh: build failed (log: $work/install.log)" >&2
  exit 2
fi
grep -q -- "-fsanitize=address" "$work/install.log" &&
  ldd "$lib/gmmmi/libs/gmmmi.so" | grep -q libasan ||
  { echo "sanitize.sh: the sanitizer flags did not reach the compiler or linker" >&2; exit 2; }
built=$(date +%s)
echo "sanitize.sh: built in $((built - start)) s; running the tests${filter:+ matching '$filter'}"

# The tests run from the copy, so that new snapshots are written there.
# GMMMI_SANITIZE_LIB tells the tests that time themselves (interrupts) to
# allow for the slower instrumented build.
status=0
( cd "$src/tests/testthat" &&
  LD_PRELOAD="$asan $ubsan" \
  ASAN_OPTIONS=detect_leaks=0:halt_on_error=0:abort_on_error=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=0 \
  NOT_CRAN=true GMMMI_SANITIZE_LIB="$lib" \
  R --vanilla --slave -f "$root/tools/run-tests.R" --args "$lib" sanitize.sh "$filter"
  ) >"$log" 2>&1 || status=$?
end=$(date +%s)

asan_n=$(grep -c "ERROR: AddressSanitizer" "$log" || true)
ubsan_n=$(grep -c "runtime error:" "$log" || true)
grep "sanitize.sh: tests finished" "$log" || true
echo "sanitize.sh: AddressSanitizer errors: $asan_n; UndefinedBehaviorSanitizer runtime errors: $ubsan_n"
echo "sanitize.sh: tests took $((end - built)) s (total $((end - start)) s); log: $log"
[ -z "${GMMMI_SANITIZE_KEEP:-}" ] || echo "sanitize.sh: instrumented library kept in $lib"
if [ "$asan_n" -gt 0 ] || [ "$ubsan_n" -gt 0 ]; then
  grep -E -m 10 -A 6 "ERROR: AddressSanitizer|runtime error:" "$log" || true
  exit 1
fi
if [ "$status" -ne 0 ] || ! grep -q "sanitize.sh: tests finished" "$log"; then
  tail -n 30 "$log"
  echo "sanitize.sh: R exited with status $status before the tests finished" >&2
  exit 2
fi
exit 0
