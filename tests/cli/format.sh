#!/usr/bin/env bash
# format.sh: every C source and header is formatted with the committed
# .clang-format (skipped when clang-format is not installed).
set -euo pipefail
src=${EG_SRC:?}
command -v clang-format >/dev/null || { echo "format: clang-format not installed, skipped"; exit 0; }
cd "$src"
bad=0
while IFS= read -r f; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "format: $f is not clang-formatted (run: clang-format -i $f)"; bad=1
  fi
done < <(git ls-files '*.c' '*.h' 2>/dev/null || find lib cli include tests tools bench -name '*.[ch]')
[ $bad = 0 ] && echo "format: ok"
exit $bad
