#!/usr/bin/env bash
# Runs the test suite, or the test files matching a regexp, under valgrind's
# memcheck, with gmmmi installed normally (R's -g -O2) from a copy of this
# tree into a temporary library.
#
# Usage: tools/valgrind.sh [FILTER]
#   FILTER  optional regexp of test files, as testthat's `filter`; valgrind
#           is 20 to 50 times slower than a plain run, so a subset such as
#           "gmm_fit" (a few minutes) is the usual choice.
# Environment: VALGRIND_EXTRA adds options (e.g. "--track-origins=yes", which
# names the source of an uninitialised value but doubles the time).
#
# Prints valgrind's ERROR SUMMARY and LEAK SUMMARY, and the errors and
# definite or possible leaks whose stacks pass through gmmmi. Exit status: 1
# when there is any memcheck error (a clean run of R itself has none) or any
# block definitely or possibly lost from gmmmi's code; 2 when the build or the
# run failed; 0 otherwise. R's own "possibly lost" and "still reachable"
# memory (its heap is kept to the end on purpose) is reported but not
# counted, and so are leaks whose stacks do not reach gmmmi. .ci/run runs
# "tools/valgrind.sh gmm_fit" and fails on a non-zero status.
set -euo pipefail
filter=${1:-}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/gmmmi-valgrind.XXXXXX")
src=$work/src
lib=$work/lib
vglog=$work/valgrind.log
mkdir -p "$lib"
cleanup() { rm -rf "$src" "$lib"; }
trap cleanup EXIT
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 2; }

start=$(date +%s)
if ! "$root/tools/dev-install.sh" "$lib" --src "$src" --log "$work/install.log"; then
  echo "valgrind.sh: build failed (log: $work/install.log)" >&2
  exit 2
fi
built=$(date +%s)
echo "valgrind.sh: installed in $((built - start)) s; running the tests${filter:+ matching '$filter'} under memcheck"

vg="valgrind --tool=memcheck --error-exitcode=0 --leak-check=full --show-leak-kinds=definite,possible"
vg="$vg --errors-for-leak-kinds=none --num-callers=40 --log-file=$vglog ${VALGRIND_EXTRA:-}"
# GMMMI_VALGRIND_LIB tells the tests that time themselves (interrupts) to
# skip, and the heavy ones to run smaller.
status=0
( cd "$src/tests/testthat" &&
  NOT_CRAN=true GMMMI_VALGRIND_LIB="$lib" \
  R -d "$vg" --vanilla --slave -f "$root/tools/run-tests.R" --args "$lib" valgrind.sh "$filter"
  ) >"$work/tests.log" 2>&1 || status=$?
end=$(date +%s)

grep "valgrind.sh: tests finished" "$work/tests.log" || true
if ! grep -q "ERROR SUMMARY" "$vglog" 2>/dev/null; then
  tail -n 30 "$work/tests.log"
  echo "valgrind.sh: valgrind did not finish (status $status); logs in $work" >&2
  exit 2
fi
# Summaries, without the "==pid==" prefix.
sed -n 's/^==[0-9]*== //p' "$vglog" | grep -E "ERROR SUMMARY|definitely lost:|indirectly lost:|possibly lost:|still reachable:" || true

# Walk the records (separated by blank "==pid==" lines): memcheck errors, and
# definite or possible leaks, whose stack passes through gmmmi (the package's shared
# object, its glue or the gmmmi:: namespace).
report=$(sed -n 's/^==[0-9]*== \{0,1\}//p' "$vglog" | awk '
  function flush() {
    if (head != "") {
      ours = (body ~ /gmmmi/)
      if (head ~ /(definitely|possibly) lost in loss record/) { if (ours) { leaks++; printf "%s\n%s\n", head, body > "/dev/stderr" } }
      else if (head ~ /^(Invalid|Conditional jump|Use of uninitialised|Syscall param|Mismatched|Source and destination|Argument .* of function)/) {
        errs++; if (ours) { our_errs++; printf "%s\n%s\n", head, body > "/dev/stderr" }
      }
    }
    head = ""; body = ""
  }
  /^$/ { flush(); next }
  head == "" { head = $0; next }
  { body = (body == "" ? $0 : body "\n" $0) }
  END { flush(); printf "%d %d %d\n", errs + 0, our_errs + 0, leaks + 0 }
' 2>"$work/ours.txt")
read -r n_errors n_our_errors n_our_leaks <<<"$report"
total=$(sed -n 's/^==[0-9]*== ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$vglog" | tail -n 1)
echo "valgrind.sh: memcheck errors: ${total:-?} (${n_our_errors} with gmmmi in the stack);" \
     "blocks definitely or possibly lost from gmmmi: ${n_our_leaks} records"
echo "valgrind.sh: tests took $((end - built)) s (total $((end - start)) s); logs: $vglog, $work/tests.log"
if [ -s "$work/ours.txt" ]; then head -n 60 "$work/ours.txt"; fi
if [ "${total:-0}" -gt 0 ] || [ "$n_our_leaks" -gt 0 ]; then exit 1; fi
[ "$status" -eq 0 ] && grep -q "valgrind.sh: tests finished" "$work/tests.log" || exit 2
exit 0
