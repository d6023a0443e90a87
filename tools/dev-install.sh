#!/usr/bin/env bash
# Installs the package from a copy of this tree into the library $1 (created if
# needed), so that builds never leave object files in, or race over, the tree.
set -euo pipefail
lib=${1:?usage: tools/dev-install.sh LIBRARY}
root=$(cd "$(dirname "$0")/.." && pwd)
src=$(mktemp -d)
tar -C "$root" --exclude=.git --exclude=bench --exclude='src/*.o' --exclude='src/*.so' -cf - . | tar -C "$src" -xf -
mkdir -p "$lib"
R CMD INSTALL --no-test-load --library="$lib" "$src" >"$src.log" 2>&1 || { tail -n 40 "$src.log"; exit 1; }
rm -rf "$src" "$src.log"
echo "installed gmmmi into $lib"
