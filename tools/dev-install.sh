#!/usr/bin/env bash
# Installs the package from a copy of this tree into the library LIBRARY
# (created if needed), so that builds never leave object files in, or race
# over, the tree. tools/sanitize.sh and tools/valgrind.sh build through it.
#
# Usage: tools/dev-install.sh LIBRARY [options] [-- R CMD INSTALL arguments]
#   --makevars FILE  compile with the flags of FILE (passed as R_MAKEVARS_USER,
#                    so ~/.R/Makevars is neither read nor changed)
#   --src DIR        copy the tree into DIR (created; kept afterwards, e.g. to
#                    run its tests) instead of a temporary directory
#   --log FILE       keep the R CMD INSTALL output in FILE
# Arguments after "--" are added to R CMD INSTALL's (e.g. --configure-vars=...).
# Exit status: 0 when installed, 1 when the build failed (the end of the log
# is printed), 64 on a usage error.
set -euo pipefail
usage() { sed -n '5,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64; }
[ $# -ge 1 ] && [ "${1#-}" = "$1" ] || usage
lib=$1
shift
makevars="" src="" log="" extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --makevars) [ $# -ge 2 ] || usage; makevars=$2; shift 2 ;;
    --src) [ $# -ge 2 ] || usage; src=$2; shift 2 ;;
    --log) [ $# -ge 2 ] || usage; log=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) usage ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
keep_src=1
if [ -z "$src" ]; then src=$(mktemp -d); keep_src=0; fi
keep_log=1
if [ -z "$log" ]; then log=$(mktemp); keep_log=0; fi
if [ -n "$makevars" ]; then
  [ -f "$makevars" ] || { echo "dev-install.sh: no Makevars file $makevars" >&2; exit 64; }
  makevars=$(cd "$(dirname "$makevars")" && pwd)/$(basename "$makevars")
  export R_MAKEVARS_USER=$makevars
fi
mkdir -p "$src" "$lib"
tar -C "$root" --exclude=.git --exclude=bench --exclude='src/*.o' --exclude='src/*.so' \
  --exclude='src/*.dll' -cf - . | tar -C "$src" -xf -
if ! R CMD INSTALL --no-test-load --library="$lib" ${extra[@]+"${extra[@]}"} "$src" >"$log" 2>&1; then
  tail -n 40 "$log"
  echo "dev-install.sh: build failed (log: $log)" >&2
  [ "$keep_src" = 1 ] || rm -rf "$src"
  exit 1
fi
[ "$keep_src" = 1 ] || rm -rf "$src"
[ "$keep_log" = 1 ] || rm -f "$log"
echo "installed gmmmi into $lib"
