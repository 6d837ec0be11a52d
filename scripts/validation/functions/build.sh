#!/bin/sh
# Builds upm_wait.so and the functions' inputs into DIR (default: build/cache/functions at the project root).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$here/../../../build/cache/functions}
mkdir -p "$dir"
[ "$dir/upm_wait.so" -nt "$here/upm_wait.c" ] || gcc -O2 -Wall -Wextra -Werror -shared -fPIC -o "$dir/upm_wait.so" "$here/upm_wait.c"
if [ $# -gt 0 ]; then shift; fi
/usr/bin/python3 "$here/prepare.py" "$dir" "$@"
