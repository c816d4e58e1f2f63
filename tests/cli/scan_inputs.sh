#!/usr/bin/env bash
# scan_inputs.sh: the kinds of input `egress scan` reads.
#
# A directory is walked recursively in a fixed (byte-wise sorted) order,
# the same every run and for any -j; binary files are skipped, counted in
# the summary and said once on stderr; a symbolic-link loop ends.  gzip and
# zstd inputs give the findings of their decompressed content, with offsets
# counted in decompressed bytes and the format (CSV fields, JSON Pointers)
# taken from the name under the compression suffix.  A decompression bomb
# is refused past --max-ratio with a message naming the input.
source "$(dirname "$0")/lib.sh"

key=$(test_key)
scan() { eg "$@"; }

# ---- a directory tree with every format, a binary file and a loop
mkdir -p tree/b/c tree/a
cp "$SCANDATA/people.txt" tree/z.txt
cp "$SCANDATA/people.csv" tree/b/people.csv
cp "$SCANDATA/people.jsonl" tree/b/c/people.jsonl
cp "$SCANDATA/people.txt" tree/a/Upper.txt
cp "$SCANDATA/people.txt" tree/a/lower.txt
printf 'ELF\0\0\0\1\2\3 13800138000 \0\0\0' >tree/a/blob.bin
ln -s .. tree/b/c/loop
: >tree/a/empty.txt

scan walk scan -f jsonl --key-file "$key" --summary walk.json tree
expect_rc walk 0
# input order: sorted by name within a directory, depth-first
grep -o '"path":"[^"]*"' walk.out | uniq >order.txt
cat >order.want <<'EOF'
"path":"tree/a/Upper.txt"
"path":"tree/a/lower.txt"
"path":"tree/b/c/people.jsonl"
"path":"tree/b/people.csv"
"path":"tree/z.txt"
EOF
same_file order.want order.txt
# each file's findings are those of the file scanned alone
for f in tree/a/Upper.txt tree/b/people.csv tree/b/c/people.jsonl tree/z.txt; do
    scan one scan -f jsonl --key-file "$key" "$f"
    grep -F "\"path\":\"$f\"" walk.out >one.want || true
    same_file one.want one.out
done
contains walk.json '"files_skipped_binary":1'
contains walk.json '"findings":60'
n=$(grep -c "binary" walk.err || true)
[ "$n" -eq 1 ] || fail "binary files reported $n times on stderr: $(cat walk.err)"
ok
lacks walk.err "13800138000"
# the same for -j1, -j2 and repeated runs
for j in 1 2 4; do
    scan walkj scan -f jsonl --key-file "$key" -j "$j" tree
    expect_rc walkj 0
    same_file walk.out walkj.out
done
# --binary scans the binary file too
scan walkbin scan -f jsonl --key-file "$key" --binary tree/a/blob.bin
expect_rc walkbin 0
contains walkbin.out '"type":"cn_mobile"'

# ---- gzip and zstd: the same findings, offsets in decompressed bytes
for f in people.txt people.csv people.jsonl; do
    cp "$SCANDATA/$f" "$f"
    scan plain scan -f jsonl --key-file "$key" "$f"
    expect_rc plain 0
    [ -s plain.out ] || fail "no findings in $f"
    gzip -9 -c "$f" >"$f.gz"
    scan gz scan -f jsonl --key-file "$key" "$f.gz"
    expect_rc gz 0
    sed "s|\"path\":\"$f\"|\"path\":\"$f.gz\"|" plain.out >gz.want
    same_file gz.want gz.out
    if have zstd; then
        zstd -q -19 -c "$f" >"$f.zst"
        scan zst scan -f jsonl --key-file "$key" "$f.zst"
        expect_rc zst 0
        sed "s|\"path\":\"$f\"|\"path\":\"$f.zst\"|" plain.out >zst.want
        same_file zst.want zst.out
    fi
    # gzip read from standard input is decompressed too (sniffed)
    eg_in gzstdin "$f.gz" scan -f jsonl --key-file "$key" -
    expect_rc gzstdin 0
    grep -c '"type"' gzstdin.out >/dev/null || fail "nothing found in gzip on stdin"
    ok
done
# a multi-member gzip: members are concatenated
cat people.txt people.txt >twice.txt
{ gzip -c people.txt; gzip -c people.txt; } >twice.txt.gz
scan twice scan -f jsonl --key-file "$key" twice.txt
scan twicegz scan -f jsonl --key-file "$key" twice.txt.gz
sed 's|"path":"twice.txt"|"path":"twice.txt.gz"|' twice.out >twicegz.want
same_file twicegz.want twicegz.out
line_count twicegz.out 32

# ---- a decompression bomb is refused with a clear message, exit 2, and
# the next input is still scanned
# (text, not zeros: zeros are sniffed as binary and skipped before any limit)
awk 'BEGIN { for (i = 0; i < 3125000; i++) print "aaaaaaaaaaaaaaa" }' | gzip -c >bomb.gz
scan bomb scan -f jsonl --key-file "$key" --max-ratio 100 bomb.gz people.txt
expect_rc bomb 2
contains bomb.err "bomb.gz"
grep -q '"path":"people.txt"' bomb.out || fail "the input after the bomb was not scanned"
ok
scan bomb2 scan -f jsonl --key-file "$key" --max-decompressed 100000 bomb.gz
expect_rc bomb2 2
contains bomb2.err "bomb.gz"

# ---- a truncated gzip: findings before the cut are reported, the error
# names the input and the offset, exit 2
head -c 300 people.txt.gz >cut.txt.gz
scan cut scan -f jsonl --key-file "$key" cut.txt.gz people.txt
expect_rc cut 2
contains cut.err "cut.txt.gz"
contains cut.err "truncated"
grep -q '"path":"people.txt"' cut.out || fail "the input after the truncated one was not scanned"
ok

# ---- --input-format forces a reader: a .txt read as CSV gets fields
printf 'phone,name\n13800138000,张三\n' >table.txt
scan forced scan -f jsonl --key-file "$key" --input-format csv table.txt
expect_rc forced 0
contains forced.out '"field":"phone"'
contains forced.out '"field":"name"'
scan auto scan -f jsonl --key-file "$key" --input-format text table.txt
lacks auto.out '"field"'

done_ok
