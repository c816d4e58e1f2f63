#!/usr/bin/env bash
# hostile.sh: the hostile-input suite (issue 5; docs/internals/RELIABILITY.md).
#
# Table-driven: every row of hostile_cases.tsv is one bad input or bad
# environment, with the exit status and the stderr message expected.  Each
# case is run next to a normal input (good.txt, one mobile number) that
# must still be scanned and reported, inside `timeout 180` (nothing may
# hang; the 1 GB line takes ~20 s, and CI machines are shared) and under
# /usr/bin/time (peak RSS must stay under the row's budget, 256 MB unless
# stated).  After every case: no sanitizer report,
# no signal, and the raw value of good.txt never appears on stderr.
#
# Columns of hostile_cases.tsv (tab-separated; '#' lines are comments):
#   id      case name; gen_<id> makes its inputs, check_<id> (optional)
#           makes extra checks after the run
#   input   file: gen_<id> DIR prints the arguments naming its inputs
#           pipe: gen_<id> DIR writes the input to stdout, scanned as '-'
#           stdin:PATH  PATH is standard input, scanned as '-'
#   args    extra arguments of `egress scan`; {D} is the case directory
#   rc      expected exit status
#   stderr  extended regex stderr must match, or '-'
#   good    stdout: good.txt's finding must be on stdout; FILE: in FILE
#           ({D} allowed); none: not checked (the output itself failed)
#   rss     peak RSS budget in MB, or '-' for 256
#   expect  what the case shows, in words
#
# Big inputs (the 1 GB line, the 2 GB bombs) are made at run time through
# pipes, never stored.  Under a sanitizer build (libasan linked) the 1 GB
# line shrinks to 64 MB so that the case stays within its time limit: the
# bound on memory is what it checks, and the chunked reader makes that
# independent of the size.  EG_HOSTILE_LINE_BYTES overrides the size.
# The RSS budgets are multiplied by 4 under sanitizers (ASan's shadow
# memory and quarantine).
#
# Runs as root in CI.  As root nothing is unreadable, so "an unreadable
# file" is played by a dangling symlink and by a directory where a file is
# expected; the full and read-only file systems are small tmpfs mounts when
# `mount` is allowed, else /dev/full and /proc stand in for them.
source "$(dirname "$0")/lib.sh"

CASES="$EG_SRC/tests/cli/hostile_cases.tsv"
key=$(test_key)
GOOD_VALUE=13829968745
printf '联系人手机 %s\n' "$GOOD_VALUE" >good.txt

sanitized=0
# (grep without -q: with pipefail, ldd killed by SIGPIPE would read false)
if ldd "$EGRESS" 2>/dev/null | grep -E 'libasan|libubsan|libtsan' >/dev/null; then
    sanitized=1
fi
if [ -n "${EG_HOSTILE_LINE_BYTES:-}" ]; then
    LINE_BYTES=$EG_HOSTILE_LINE_BYTES
elif [ "$sanitized" = 1 ]; then
    LINE_BYTES=$((64 << 20))
else
    LINE_BYTES=$((1 << 30))
fi
can_mount=0
mkdir -p mnt-probe
if mount -t tmpfs -o size=16k tmpfs mnt-probe 2>/dev/null; then
    umount mnt-probe && can_mount=1
fi
rmdir mnt-probe

# Mounts and background writers are undone whatever happens.  Generators
# run in subshells, so they are listed in files, not variables.
: >"$T/mounts"
: >"$T/bgpids"
unmount_all() {
    local m
    while read -r m; do umount "$m" 2>/dev/null || true; done <"$T/mounts"
    : >"$T/mounts"
}
cleanup() {
    local p
    while read -r p; do kill "$p" 2>/dev/null || true; done <"$T/bgpids"
    unmount_all
    rm -rf "$T"
}
trap cleanup EXIT

# ---------------------------------------------------------- generators
# gen_<id> DIR: make the inputs in DIR; print the arguments naming them.

# Rows of an ordinary CSV: 2000 people, one mobile number each.
people_csv() {
    local i
    printf '姓名,身份证号,手机号,邮箱\n'
    for ((i = 0; i < 2000; i++)); do
        printf '张伟%d,110105196706179752,13829968745,user%d@example.cn\n' "$i" "$i"
    done
}

gen_invalid_utf8() {
    printf 'x\xff\xfe\x80\xbf 手机 13900001111 \xf8\x88\x80\x80\x80\n' >"$1/bad.txt"
    echo "$1/bad.txt"
}
gen_gbk_damaged() { # GBK with a stray 0xFF, a lone lead byte, a cut end
    { printf '\xff'; printf '联系人：李明，电话 13900001111，地址：北京市朝阳区建国路88号\n' | iconv -t GB18030
      printf '\xd5\x20'; printf '收货人：王芳，备注：客户资料\n' | iconv -t GB18030; printf '\xc5'; } >"$1/gbk_damaged.txt"
    echo "$1/gbk_damaged.txt"
}
gen_gbk_after_ascii_head() { # the first non-ASCII byte 100 KB in
    { head -c 100000 /dev/zero | tr '\0' 'a'; printf '\n'
      printf '联系人：李明，地址：北京市朝阳区建国路88号\n' | iconv -t GB18030; } >"$1/late_gbk.csv"
    echo "$1/late_gbk.csv"
}
gen_overlong_utf8() {
    printf '\xc0\xaf\xe0\x80\xaf\xf0\x80\x80\xaf 13900001111 \xc1\xbf\n' >"$1/overlong.txt"
    echo "$1/overlong.txt"
}
gen_json_lone_surrogate() {
    printf '{"a":"\\ud800","b":"\xed\xa0\x80","c":"\\udfff\\ud800x","phone":"13900001111"}\n' \
        >"$1/sur.jsonl"
    echo "$1/sur.jsonl"
}
gen_json_bad_escape() {
    printf '{"a":"\\u12","b":"\\q","phone":"13900001111"}\n{"phone":"13900001112"}\n' \
        >"$1/esc.jsonl"
    echo "$1/esc.jsonl"
}
gen_nul_skipped() {
    printf 'ELF\0\0\0 手机 13900001111\0\0' >"$1/blob.bin"
    echo "$1/blob.bin"
}
gen_nul_binary_flag() { gen_nul_skipped "$@"; }
gen_nul_after_sniff() {
    { head -c 9000 /dev/zero | tr '\0' 'a'; printf '\n手机 13900001111\0\n'; } >"$1/late.txt"
    echo "$1/late.txt"
}
gen_utf16_bom() {
    printf '\xff\xfe1\x003\x009\x00' >"$1/u16.txt"
    echo "$1/u16.txt"
}
# One line of LINE_BYTES bytes with values all along, never stored.
gen_line_1g() {
    yes '联系人张伟 手机13829968745 身份证110105196706179752 邮箱zhang.wei@example.cn 备注：无 ' |
        tr -d '\n' | head -c "$LINE_BYTES"
}
gen_line_1g_prose() {
    yes '这是一段没有任何个人信息的中文文本，用于测试很长的一行。' | tr -d '\n' |
        head -c "$LINE_BYTES"
}
gen_csv_unbalanced_quote() {
    printf 'name,phone\n"Zhang,13900001111\nWang,13900001112\n' >"$1/unbal.csv"
    echo "$1/unbal.csv"
}
gen_csv_100k_columns() {
    python3 - "$1/wide.csv" <<'EOF'
import sys
n = 100000
def name(i):  # letters only: a header has no 5-digit runs
    s = ""
    for _ in range(4):
        s, i = chr(97 + i % 26) + s, i // 26
    return "col" + s
with open(sys.argv[1], "w") as f:
    f.write(",".join(name(i) for i in range(n)) + "\n")
    f.write(",".join("13900001111" if i == n - 2 else "x" for i in range(n)) + "\n")
EOF
    echo "$1/wide.csv"
}
gen_csv_huge_field() {
    { printf 'note,phone\n"'; head -c 10000000 /dev/zero | tr '\0' 'a';
      printf '",13900001111\n'; } >"$1/field.csv"
    echo "$1/field.csv"
}
gen_json_deep_1m() {
    python3 -c "
n = 1000000
open('$1/deep.json', 'w').write('[' * n + '{\"phone\":\"13900001111\"}' + ']' * n)"
    echo "$1/deep.json"
}
gen_jsonl_deep_then_good() {
    python3 -c "
n = 1000000
open('$1/deep.jsonl', 'w').write('{\"a\":' * n + '1\n{\"phone\":\"13900001111\"}\n')"
    echo "$1/deep.jsonl"
}
gen_json_huge_number() {
    { printf '{"n":'; head -c 1000000 /dev/zero | tr '\0' '7';
      printf ',"phone":"13900001111"}\n'; } >"$1/num.json"
    echo "$1/num.json"
}
# 2 GB of text ('y\n') and of zeros, compressed through a pipe; made
# once and shared by the cases that need them.
bomb() {
    local kind=$1 fmt=$2 f="$T/bombs/$1.$2"
    mkdir -p "$T/bombs"
    if [ ! -f "$f" ]; then
        local src=(yes)
        [ "$kind" = zeros ] && src=(cat /dev/zero)
        if [ "$fmt" = gz ]; then
            "${src[@]}" | head -c 2G | gzip -1 >"$f"
        else
            "${src[@]}" | head -c 2G | zstd -q -c >"$f"
        fi
    fi
    echo "$f"
}
gen_gzip_bomb_size() { ln -s "$(bomb text gz)" "$1/bomb.gz"; echo "$1/bomb.gz"; }
gen_gzip_bomb_ratio() { ln -s "$(bomb text gz)" "$1/bomb.gz"; echo "$1/bomb.gz"; }
gen_gzip_bomb_zeros() { ln -s "$(bomb zeros gz)" "$1/zeros.gz"; echo "$1/zeros.gz"; }
gen_zstd_bomb_size() { ln -s "$(bomb text zst)" "$1/bomb.zst"; echo "$1/bomb.zst"; }
gen_zstd_bomb_default() { ln -s "$(bomb text zst)" "$1/bomb.zst"; echo "$1/bomb.zst"; }
gen_zstd_bomb_zeros() { ln -s "$(bomb zeros zst)" "$1/zeros.zst"; echo "$1/zeros.zst"; }
gen_gzip_truncated() {
    people_csv | gzip -c >"$1/full.gz"
    head -c $(($(stat -c %s "$1/full.gz") - 30)) "$1/full.gz" >"$1/people.csv.gz"
    rm "$1/full.gz"
    echo "$1/people.csv.gz"
}
gen_zstd_truncated() {
    people_csv | zstd -q -c -B16384 >"$1/full.zst"
    head -c $(($(stat -c %s "$1/full.zst") / 2)) "$1/full.zst" >"$1/people.csv.zst"
    rm "$1/full.zst"
    echo "$1/people.csv.zst"
}
gen_gzip_corrupt() {
    people_csv | gzip -c >"$1/people.csv.gz"
    printf '\xff\x00\xff\x00' | dd of="$1/people.csv.gz" bs=1 seek=2000 conv=notrunc 2>/dev/null
    echo "$1/people.csv.gz"
}
gen_gzip_trailing_garbage() {
    { people_csv | gzip -c; printf 'not gzip at all'; } >"$1/people.csv.gz"
    echo "$1/people.csv.gz"
}
gen_gzip_header_only() {
    printf '\x1f\x8b' >"$1/two.gz"
    echo "$1/two.gz"
}
gen_symlink_loop_dir() {
    mkdir -p "$1/tree/sub"
    ln -s .. "$1/tree/sub/up"
    ln -s . "$1/tree/self"
    printf '手机 13900001111\n' >"$1/tree/sub/a.txt"
    echo "$1/tree"
}
gen_symlink_loop_named() {
    ln -s b "$1/a"
    ln -s a "$1/b"
    echo "$1/a"
}
gen_fifo_named() {
    mkfifo "$1/fifo"
    echo "$1/fifo"
}
gen_fifo_in_dir() {
    mkdir "$1/d"
    mkfifo "$1/d/fifo"
    printf '手机 13900001111\n' >"$1/d/z.txt"
    echo "$1/d"
}
gen_socket_named() {
    python3 -c "import socket; socket.socket(socket.AF_UNIX).bind('$1/sock')"
    echo "$1/sock"
}
gen_dev_zero() { echo /dev/zero; }
gen_dev_urandom() { echo /dev/urandom; }
gen_dev_null() { echo /dev/null; }
gen_dangling_symlink_named() {
    ln -s nowhere "$1/gone.txt"
    echo "$1/gone.txt"
}
gen_dangling_symlink_in_dir() {
    mkdir "$1/d"
    ln -s nowhere "$1/d/gone.txt"
    printf '手机 13900001111\n' >"$1/d/a.txt"
    echo "$1/d"
}
gen_nonexistent() { echo "$1/no-such-file.txt"; }
gen_mode_000_as_root() {
    printf '手机 13900001111\n' >"$1/locked.txt"
    chmod 000 "$1/locked.txt"
    echo "$1/locked.txt"
}
gen_dir_as_key_file() { mkdir "$1/keydir"; }
gen_dir_as_output() { mkdir "$1/out"; }
# A writer appends for about 3 s while the file is read.
gen_file_grows() {
    : >"$1/grow.log"
    (for i in $(seq 1 300); do
        printf '%05d 手机 13900001111 %0400d\n' "$i" 0
        sleep 0.01
    done >>"$1/grow.log") &
    echo $! >>"$T/bgpids"
    echo $! >"$1/bg.pid"
    sleep 0.2
    echo "$1/grow.log"
}
# A 200 MB file truncated to 1000 bytes while it is read.
gen_file_shrinks() {
    { head -c 200000000 /dev/zero | tr '\0' 'a'; printf ' 13900001111\n'; } >"$1/shrink.txt"
    (sleep 0.2; truncate -s 1000 "$1/shrink.txt") &
    echo $! >>"$T/bgpids"
    echo $! >"$1/bg.pid"
    echo "$1/shrink.txt"
}
gen_empty_file() {
    : >"$1/empty.txt"
    echo "$1/empty.txt"
}
gen_empty_gzip() {
    gzip -c </dev/null >"$1/empty.gz"
    echo "$1/empty.gz"
}
mount_tmpfs() { # DIR OPTIONS
    mkdir -p "$1"
    mount -t tmpfs -o "$2" tmpfs "$1" && echo "$1" >>"$T/mounts"
}
gen_output_full_fs() {
    people_csv >"$1/people.csv"
    if [ "$can_mount" = 1 ]; then
        mount_tmpfs "$1/full" size=16k
    else
        mkdir -p "$1/full" # no mount: the case falls back to /dev/full
    fi
    echo "$1/people.csv"
}
gen_state_full_fs() { gen_output_full_fs "$@"; }
gen_output_dev_full() {
    people_csv >"$1/people.csv"
    echo "$1/people.csv"
}
gen_output_read_only_fs() {
    mkdir -p "$1/ro"
    [ "$can_mount" = 1 ] && mount_tmpfs "$1/ro" ro,size=16k
    echo "$1/good-copy.txt"
    cp good.txt "$1/good-copy.txt"
}
gen_output_missing_dir() { echo; }
gen_output_is_input() {
    printf '手机 13900001111\n' >"$1/data.txt"
    echo "$1/data.txt"
}
gen_output_in_scanned_dir() {
    mkdir "$1/d"
    people_csv >"$1/d/people.csv"
    echo "$1/d"
}
gen_crlf() {
    printf 'first\r\n手机 13900001111\r\n' >"$1/crlf.txt"
    echo "$1/crlf.txt"
}
gen_bom() {
    printf '\xef\xbb\xbf手机 13900001111\n' >"$1/bom.txt"
    echo "$1/bom.txt"
}
gen_bom_crlf_csv() {
    printf '\xef\xbb\xbf姓名,手机号\r\n张伟,13900001111\r\n' >"$1/bom.csv"
    echo "$1/bom.csv"
}
gen_cr_only() {
    printf 'first\r手机 13900001111\rthird\r' >"$1/cr.txt"
    echo "$1/cr.txt"
}
gen_gbk_text() {
    printf '\xca\xd6\xbb\xfa 13900001111\n' >"$1/gbk.txt" # 手机 in GBK
    echo "$1/gbk.txt"
}
gen_digits_1m() {
    { head -c 1000000 /dev/zero | tr '\0' '7'; printf ' 13900001111\n'; } >"$1/digits.txt"
    echo "$1/digits.txt"
}
gen_at_1m() {
    { head -c 1000000 /dev/zero | tr '\0' '@'; printf ' 13900001111\n'; } >"$1/at.txt"
    echo "$1/at.txt"
}
gen_hex_colons_1m() {
    { yes '1:' | tr -d '\n' | head -c 1000000; printf ' 13900001111\n'; } >"$1/colons.txt"
    echo "$1/colons.txt"
}
gen_spaced_groups_1m() {
    { yes '1 ' | tr -d '\n' | head -c 1000000; printf '\n13900001111\n'; } >"$1/groups.txt"
    echo "$1/groups.txt"
}
gen_fullwidth_digits_1m() {
    { yes '１' | tr -d '\n' | head -c 999999; printf ' 13900001111\n'; } >"$1/fw.txt"
    echo "$1/fw.txt"
}
# Tab-separated weak tokens on one 4 MB line: each asks for table context.
gen_tab_line_4m() {
    { yes 'E12345678	G87654321	1990-01-01	' | tr -d '\n' | head -c 4000000
      printf '\n手机 13900001111\n'; } >"$1/tabs.txt"
    echo "$1/tabs.txt"
}
gen_files_10k() {
    mkdir "$1/many"
    (cd "$1/many" && for i in $(seq -w 1 10000); do
        printf '手机 13900001111\n' >"f$i.txt"
    done)
    echo "$1/many"
}
gen_sparse_1t() {
    truncate -s 1T "$1/sparse.img"
    echo "$1/sparse.img"
}
gen_max_findings() {
    people_csv >"$1/people.csv"
    echo "$1/people.csv"
}
gen_max_depth() {
    printf '{"a":{"b":{"c":{"d":{"e":{"phone":"13900001111"}}}}}}\n' >"$1/d.json"
    echo "$1/d.json"
}
gen_bad_limit_value() { echo; }
gen_same_file_twice() {
    printf '手机 13900001111\n' >"$1/twice.txt"
    echo "$1/twice.txt $1/twice.txt"
}
gen_newline_in_name() {
    printf '手机 13900001111\n' >"$1/a
b.txt"
    printf '%s\0' "$1/a
b.txt" >"$1/name"
    echo "@NAMEFILE@"
}
gen_stdin_dev_zero() { :; }

# ------------------------------------------------------------ checks
# check_<id> DIR: extra facts after the run; $out, $err are its files.

finding_in() { # PATH-SUBSTRING: a finding whose path contains it
    grep -qF "\"path\":\"$1" "$out" || fail "$id: no finding for $1"
    ok
}
no_finding_in() {
    if grep -qF "\"path\":\"$1" "$out"; then fail "$id: a finding for $1"; fi
    ok
}
check_invalid_utf8() { finding_in "$1/bad.txt"; }
check_overlong_utf8() { finding_in "$1/overlong.txt"; }
# a finding TYPE of FILE points at the GB18030 bytes of TEXT
gb_bytes_at() {
    local line start end
    while IFS= read -r line; do
        start=$(printf '%s' "$line" | grep -o '"start":[0-9]*' | cut -d: -f2)
        end=$(printf '%s' "$line" | grep -o '"end":[0-9]*' | cut -d: -f2)
        if cmp -s <(tail -c +$((start + 1)) "$2" | head -c $((end - start))) \
            <(printf '%s' "$3" | iconv -t GB18030); then
            ok
            return
        fi
    done < <(grep -F "\"path\":\"$2\"" "$out" | grep -F "\"type\":\"$1\"")
    fail "$id: no $1 in $2 points at '$3'"
}
check_gbk_damaged() {
    gb_bytes_at person_name "$1/gbk_damaged.txt" 李明
    gb_bytes_at person_name "$1/gbk_damaged.txt" 王芳
    gb_bytes_at cn_address "$1/gbk_damaged.txt" 北京市朝阳区建国路88号
    gb_bytes_at cn_mobile "$1/gbk_damaged.txt" 13900001111
}
check_gbk_after_ascii_head() {
    gb_bytes_at person_name "$1/late_gbk.csv" 李明
    gb_bytes_at cn_address "$1/late_gbk.csv" 北京市朝阳区建国路88号
}
check_json_lone_surrogate() { finding_in "$1/sur.jsonl"; }
check_json_bad_escape() {
    [ "$(grep -c "$1/esc.jsonl" "$out")" = 2 ] || fail "$id: both lines' values expected"
    ok
}
check_nul_skipped() { no_finding_in "$1/blob.bin"; }
check_nul_binary_flag() { finding_in "$1/blob.bin"; }
check_nul_after_sniff() { finding_in "$1/late.txt"; }
check_utf16_bom() { no_finding_in "$1/u16.txt"; }
check_csv_unbalanced_quote() { finding_in "$1/unbal.csv"; }
check_csv_100k_columns() {
    grep -F "$1/wide.csv" "$out" | grep -qF '"field":"99999"' ||
        fail "$id: the value's column name is missing"
    ok
}
check_csv_huge_field() { finding_in "$1/field.csv"; }
check_json_deep_1m() { finding_in "$1/deep.json"; }
check_jsonl_deep_then_good() {
    grep -F "$1/deep.jsonl" "$out" | grep -qF '"line":2' ||
        fail "$id: the value on the line after the deep one is missing"
    ok
}
check_json_huge_number() { finding_in "$1/num.json"; }
check_gzip_truncated() { finding_in "$1/people.csv.gz"; } # before the cut
check_gzip_corrupt() { finding_in "$1/people.csv.gz"; }
check_gzip_trailing_garbage() {
    [ "$(grep -c "$1/people.csv.gz" "$out")" -ge 6000 ] ||
        fail "$id: the member before the garbage was not scanned whole"
    ok
}
check_symlink_loop_dir() { finding_in "$1/tree/sub/a.txt"; }
check_fifo_in_dir() { finding_in "$1/d/z.txt"; }
check_dangling_symlink_in_dir() { finding_in "$1/d/a.txt"; }
check_mode_000_as_root() { finding_in "$1/locked.txt"; }
check_file_grows() { finding_in "$1/grow.log"; }
check_output_full_fs() {
    if [ "$can_mount" = 1 ]; then
        [ -z "$(ls -A "$1/full")" ] || fail "$id: left $(ls -A "$1/full") on the full file system"
        ok
    fi
}
check_state_full_fs() { check_output_full_fs "$@"; }
check_output_is_input() {
    grep -qF 13900001111 "$1/data.txt" || fail "$id: the input was overwritten"
    ok
}
check_output_in_scanned_dir() {
    [ "$(grep -c '"path":"[^"]*d/people.csv"' "$1/d/out.jsonl")" = 6000 ] ||
        fail "$id: expected the 6000 findings of people.csv only"
    ok
}
check_crlf() {
    grep -F "$1/crlf.txt" "$out" | grep -qF '"line":2,' || fail "$id: wrong line"
    ok
}
check_bom() {
    grep -F "$1/bom.txt" "$out" | grep -qF '"start":10,' || fail "$id: wrong offset"
    ok
}
check_bom_crlf_csv() {
    grep -F "$1/bom.csv" "$out" | grep -qF '"field":"手机号"' || fail "$id: wrong field"
    ok
}
check_cr_only() {
    grep -F "$1/cr.txt" "$out" | grep -qF '"line":1,' || fail "$id: CR is no line end"
    ok
}
check_gbk_text() { finding_in "$1/gbk.txt"; }
check_digits_1m() { finding_in "$1/digits.txt"; }
check_at_1m() { finding_in "$1/at.txt"; }
check_hex_colons_1m() { finding_in "$1/colons.txt"; }
check_spaced_groups_1m() { finding_in "$1/groups.txt"; }
check_fullwidth_digits_1m() { finding_in "$1/fw.txt"; }
check_tab_line_4m() { finding_in "$1/tabs.txt"; }
check_files_10k() {
    [ "$(grep -c "$1/many/" "$out")" = 10000 ] || fail "$id: not 10000 findings"
    ok
}
check_sparse_1t() { no_finding_in "$1/sparse.img"; }
check_max_findings() {
    [ "$(grep -c "$1/people.csv" "$out")" = 5 ] || fail "$id: not 5 findings"
    ok
}
check_max_depth() { finding_in "$1/d.json"; }
check_same_file_twice() {
    [ "$(grep -c "$1/twice.txt" "$out")" = 2 ] || fail "$id: scanned $(grep -c "$1/twice.txt" "$out") times"
    ok
}
check_newline_in_name() {
    grep -qF 'a\u000ab.txt' "$out" || fail "$id: name not escaped"
    ok
}

# ------------------------------------------------------------ the runner

# Substitute {D}; the arguments of a row never contain spaces otherwise.
subst() { printf '%s' "${1//\{D\}/$2}"; }

run_case() {
    local dir="$T/c/$id" inputs=() extra=() cmd rc rss
    mkdir -p "$dir"
    out="$T/out/$id.out"
    err="$T/out/$id.err"
    local tm="$T/out/$id.time"
    [ "$args" = - ] || read -ra extra <<<"$(subst "$args" "$dir")"
    local fallback=0
    if [ "$can_mount" = 0 ]; then # stand-ins for the mounted file systems
        case $id in
        output_full_fs) extra=(-o /dev/full) ;;
        state_full_fs) extra=(--state /dev/full) ;;
        output_read_only_fs) extra=(-o /proc/egress-hostile.jsonl) ;;
        esac
    fi
    cmd=(timeout 180 /usr/bin/time -f %M -o "$tm" "$EGRESS" scan -f jsonl
         --key-file "$key" "${extra[@]}")
    rc=0
    case $input in
    file)
        local line
        line=$("gen_$id" "$dir")
        if [ "$line" = @NAMEFILE@ ]; then
            mapfile -d '' -t inputs <"$dir/name"
        else
            read -ra inputs <<<"$line"
        fi
        "${cmd[@]}" "${inputs[@]}" good.txt >"$out" 2>"$err" </dev/null || rc=$?
        ;;
    pipe)
        set +o pipefail
        "gen_$id" "$dir" | "${cmd[@]}" - good.txt >"$out" 2>"$err" || rc=$?
        set -o pipefail
        ;;
    stdin:*)
        "${cmd[@]}" - good.txt <"${input#stdin:}" >"$out" 2>"$err" || rc=$?
        ;;
    *) fail "$id: unknown input kind $input" ;;
    esac
    if [ -f "$dir/bg.pid" ]; then
        kill "$(cat "$dir/bg.pid")" 2>/dev/null || true
        wait "$(cat "$dir/bg.pid")" 2>/dev/null || true
    fi
    echo "$rc" >"$T/out/$id.rc"
    [ "$rc" != 124 ] || fail "$id: timed out (180 s)"
    [ "$rc" = "$want_rc" ] ||
        fail "$id: exit status $rc, expected $want_rc; stderr: $(grep -v 'key id' "$err" | head -c 1500)"
    ok
    if [ "$stderr_re" != - ]; then
        grep -qE -- "$stderr_re" "$err" ||
            fail "$id: stderr does not match /$stderr_re/: $(head -c 1500 "$err")"
        ok
    fi
    local where
    case $good in
    stdout) where=$out ;;
    none) where= ;;
    *) where=$(subst "$good" "$dir") ;;
    esac
    if [ -n "$where" ]; then
        grep -qF '"path":"good.txt"' "$where" ||
            fail "$id: the normal input next to it was not reported"
        ok
    fi
    lacks "$err" "$GOOD_VALUE" # no raw value in any message
    lacks "$err" 13900001111
    rss=$(tail -n 1 "$tm" 2>/dev/null || echo 0)
    local budget=$((${rss_mb/-/256} * 1024))
    # ASan's shadow memory and 256 MB quarantine are not ours: 4x budget
    [ "$sanitized" = 0 ] || budget=$((budget * 4))
    [ "$rss" -le "$budget" ] || fail "$id: peak RSS ${rss} KB over ${rss_mb} MB"
    ok
    printf '%-28s rc %s  peak RSS %6d KB\n' "$id" "$rc" "$rss"
    if declare -F "check_$id" >/dev/null; then
        "check_$id" "$dir"
    fi
    unmount_all
}

mkdir -p out c
ncases=0
while IFS=$'\t' read -r id input args want_rc stderr_re good rss_mb expect; do
    case $id in '' | '#'*) continue ;; esac
    [ -n "$expect" ] || fail "$id: row without an expectation"
    run_case
    ncases=$((ncases + 1))
done <"$CASES"
[ "$ncases" -ge 40 ] || fail "only $ncases cases"
echo "hostile: $ncases cases (line case: $LINE_BYTES bytes, sanitizer build: $sanitized, tmpfs mounts: $can_mount)"
done_ok
