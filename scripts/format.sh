#!/usr/bin/env bash
# Formats Samsa's C++ sources with clang-format and the project's .clang-format, or, with
# --check, lists the files that differ from it and fails (the test suite runs the check).
set -euo pipefail

usage() {
    cat <<USAGE
Usage: scripts/format.sh [--check] [FILE...]
  Formats the tracked *.cc and *.h files (or the FILEs given) in place.
  --check   change nothing; print each file clang-format would change and exit 1 if any
USAGE
}

check=0
files=()
for arg in "$@"; do
    case "$arg" in
        --check) check=1 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "format.sh: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
        *) files+=("$arg") ;;
    esac
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# Debian 12 ships clang-format 14; the .clang-format uses only options it knows.
formatter=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$formatter" ]; then
    echo "format.sh: clang-format not found (scripts/install-deps.sh installs clang-format-14)" >&2
    exit 2
fi

if [ "${#files[@]}" -eq 0 ]; then
    if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        echo "format.sh: not a git checkout; name the files to format" >&2
        exit 2
    fi
    mapfile -t files < <(git ls-files -- '*.cc' '*.h')
fi

if [ "$check" -eq 0 ]; then
    printf '%s\0' "${files[@]}" | xargs -0 -n 50 "$formatter" -i --style=file
    exit 0
fi

# --dry-run -Werror reports "FILE:LINE:COL: error: code should be clang-formatted" per change.
report=$(printf '%s\0' "${files[@]}" |
    xargs -0 -n 50 "$formatter" --style=file --dry-run -Werror --ferror-limit=1 2>&1 || true)
mapfile -t differ < <(sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' \
    <<<"$report" | sort -u)
if [ "${#differ[@]}" -gt 0 ]; then
    printf 'not formatted: %s\n' "${differ[@]}" >&2
    echo "format.sh: ${#differ[@]} file(s) differ from .clang-format; run scripts/format.sh" >&2
    exit 1
fi
if grep -q "error" <<<"$report"; then
    echo "$report" >&2  # clang-format itself failed (a bad .clang-format, an unreadable file)
    exit 2
fi
echo "format.sh: ${#files[@]} files formatted as .clang-format says"
