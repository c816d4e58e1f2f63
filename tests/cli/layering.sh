#!/usr/bin/env bash
# layering.sh: the dependency rule of CONTRIBUTING.md, checked on #include
# lines.  cli/ sees only the public header; lib/common/ depends on nothing;
# each layer includes only the layers it is allowed to.
set -euo pipefail
src=${EG_SRC:?}
fail=0
allowed() { # layer -> allowed include prefixes
  case $1 in
    common) echo "common" ;;
    read|detect|crypto) echo "common $1" ;;
    match) echo "common match detect" ;;
    state|assess) echo "common $1 detect state crypto" ;;
    protect) echo "common protect crypto detect read scan" ;; # mask drives the engine like scan
    scan) echo "common scan detect match read crypto" ;;
  esac
}
for f in "$src"/lib/*/*.[ch]; do
  layer=$(basename "$(dirname "$f")")
  ok=$(allowed "$layer")
  while read -r inc; do
    dep=${inc%%/*}
    case " $ok " in *" $dep "*) ;; *) echo "layering: $f includes $inc"; fail=1 ;; esac
  done < <(grep -o '#include "[a-z_]*/[a-z_0-9]*\.[a-z]*"' "$f" | sed 's/#include "//; s/"$//')
done
for f in "$src"/cli/*.c "$src"/cli/*.h; do
  if grep -q '#include "\(common\|read\|match\|detect\|scan\|state\|assess\|crypto\|protect\)/' "$f"; then
    echo "layering: $f includes a library-internal header"; fail=1
  fi
done
[ $fail = 0 ] && echo "layering: ok"
exit $fail
