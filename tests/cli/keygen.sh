#!/usr/bin/env bash
# keygen.sh: `egress keygen -o FILE`: the key file is created with mode 600
# in the v1 format, its 16-hex key id is printed (and matches what `scan`
# reports for it), an existing file is never overwritten, and a key file
# that group or others can read is refused by the loader (`scan
# --key-file`).  Run by CTest with EGRESS = the built binary.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
: "${EGRESS:?set EGRESS to the egress binary}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# a new key: exit 0, the id alone on stdout, mode 600, exact format
id=$("$EGRESS" keygen -o "$dir/k.key" 2>"$dir/err") || fail "keygen failed: $(cat "$dir/err")"
[[ $id =~ ^[0-9a-f]{16}$ ]] || fail "key id '$id' is not 16 hex digits"
[ "$(stat -c %a "$dir/k.key")" = 600 ] || fail "mode is $(stat -c %a "$dir/k.key"), not 600"
[ "$(head -n1 "$dir/k.key")" = "egress-key v1" ] || fail "bad header"
sed -n 2p "$dir/k.key" | grep -Eq '^[0-9a-f]{64}$' || fail "line 2 is not 64 hex digits"
[ "$(wc -c <"$dir/k.key")" -eq 79 ] || fail "key file is not 79 bytes"
# the key bytes never reach the terminal
key_hex=$(sed -n 2p "$dir/k.key")
grep -q "$key_hex" "$dir/err" && fail "key bytes printed on stderr"
[ "$id" != "$key_hex" ] || fail "id equals the key"
grep -q "$id" "$dir/err" || fail "stderr does not name the key id"

# two keys differ
id2=$("$EGRESS" keygen -o "$dir/k2.key" 2>/dev/null) || fail "second keygen failed"
[ "$id" != "$id2" ] || fail "two keys with one id"
cmp -s "$dir/k.key" "$dir/k2.key" && fail "two identical keys"

# never overwrites: exit non-zero, file unchanged
cp "$dir/k.key" "$dir/k.bak"
if "$EGRESS" keygen -o "$dir/k.key" 2>"$dir/err"; then fail "overwrote an existing key"; fi
cmp -s "$dir/k.key" "$dir/k.bak" || fail "existing key changed"
grep -q "exists" "$dir/err" || fail "no 'exists' message: $(cat "$dir/err")"
# not through a symbolic link either
ln -s "$dir/new-target.key" "$dir/link.key"
if "$EGRESS" keygen -o "$dir/link.key" 2>/dev/null; then fail "wrote through a symlink"; fi
[ ! -e "$dir/new-target.key" ] || fail "symlink target created"

# usage errors
if "$EGRESS" keygen 2>/dev/null; then fail "keygen without -o succeeded"; fi
if "$EGRESS" keygen -o - 2>/dev/null; then fail "keygen wrote a key to stdout"; fi
"$EGRESS" keygen --help | grep -q "usage: egress keygen" || fail "no --help"

# the loader refuses a key others can read; accepts it again after chmod 600
echo "身份证号 11010519491231002X" >"$dir/in.txt"
if "$EGRESS" scan --help 2>/dev/null | grep -q -- "--key-file"; then
    chmod 644 "$dir/k.key"
    if "$EGRESS" scan --key-file "$dir/k.key" "$dir/in.txt" >/dev/null 2>"$dir/err"; then
        fail "scan accepted a 0644 key file"
    fi
    grep -q "chmod 600" "$dir/err" || fail "refusal does not say chmod 600: $(cat "$dir/err")"
    grep -q "$key_hex" "$dir/err" && fail "key bytes in the refusal"
    chmod 600 "$dir/k.key"
    "$EGRESS" scan --key-file "$dir/k.key" "$dir/in.txt" >"$dir/out" 2>"$dir/err" ||
        [ $? -eq 1 ] || fail "scan with a 0600 key failed: $(cat "$dir/err")"
fi
echo "ok"
