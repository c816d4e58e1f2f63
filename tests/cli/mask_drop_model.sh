#!/usr/bin/env bash
# mask_drop_model.sh: `drop` against a model of what it must do.
#
# Random CSV files (columns of mobiles, of mobiles with text, of text; empty
# and blank cells; BOM or not; CRLF or LF; fields with quotes, commas and
# line breaks) and random JSON Lines / indented JSON documents (objects and
# arrays nested three deep, mobiles as strings and numbers, null, "") are
# masked with `default: drop`. A model in Python says what must come out:
# a CSV column goes when it has a mobile and nothing else but blanks; a
# JSON member goes when every value at its path (arrays transparent) is a
# mobile, null or "", and at least one is a mobile, and it never holds an
# object; every other mobile becomes "". The output is parsed (Python's csv
# and json modules) and compared with the model, record for record.
source "$(dirname "$0")/lib.sh"
have python3 || { echo "skipped: no python3"; exit 0; }

key=$(test_key)
printf 'version: 1\ndefault: drop\n' >drop.yaml
python3 - "$EGRESS" "$key" <<'EOF' || fail "drop differs from its model"
import csv, io, json, random, re, subprocess, sys

egress, key = sys.argv[1], sys.argv[2]
PH = re.compile(r"^1(3[89]|5[01]|8[67])\d{8}$")


def phone():
    return random.choice(["138", "139", "150", "151", "186", "187"]) + "".join(
        random.choice("0123456789") for _ in range(8))


def mask(path, out):
    subprocess.run([egress, "mask", "-q", "--policy", "drop.yaml", "--key-file",
                    key, "-o", out, path], check=True)


def csv_case(seed):
    random.seed(seed)
    ncol, nrow = random.randint(1, 6), random.randint(1, 30)
    kinds = [random.choice(["ph", "ph", "mix", "txt"]) for _ in range(ncol)]
    hdr = ["col%d" % i for i in range(ncol)]
    rows = []
    for _ in range(nrow):
        row = []
        for k in kinds:
            x = random.random()
            if k == "ph":
                v = phone() if x < 0.8 else ("" if x < 0.9 else " ")
            elif k == "mix":
                v = phone() if x < 0.5 else 'a,"b"\nc'
            else:
                v = random.choice(["x", "y z", ""])
            row.append(v)
        rows.append(row)
    buf = io.StringIO()
    csv.writer(buf, lineterminator=random.choice(["\r\n", "\n"])).writerows([hdr] + rows)
    data = ("\ufeff" if random.random() < 0.5 else "") + buf.getvalue()
    open("m.csv", "w", encoding="utf-8", newline="").write(data)
    mask("m.csv", "m.out.csv")
    got = list(csv.reader(open("m.out.csv", encoding="utf-8-sig", newline="")))
    keep = [i for i in range(ncol)
            if not (any(PH.match(r[i]) for r in rows)
                    and all(PH.match(r[i]) or not r[i].strip() for r in rows))]
    want = [[hdr[i] for i in keep]] + [
        ["" if PH.match(r[i]) else r[i] for i in keep] for r in rows]
    if not keep:
        want = [[] for _ in range(nrow + 1)]
    return want == got or print("csv seed", seed, want[:3], got[:3])


def jvalue(depth, key):
    r = random.random()
    if depth < 3 and r < 0.15:
        return jobject(depth + 1)
    if depth < 3 and r < 0.25:
        return [jvalue(depth + 1, key) for _ in range(random.randint(0, 3))]
    p = 0.95 if key in ("phone", "b") else 0.3
    r = random.random()
    if r < p:
        return phone() if random.random() < 0.8 else int(phone())
    if r < p + 0.05:
        return None
    return random.choice(["x", "hello", "", "note 5"])


def jobject(depth):
    keys = ["a", "b", "phone", "c", "d"]
    return {k: jvalue(depth, k) for k in random.sample(keys, random.randint(1, 4))}


def json_model(recs):
    stats = {}

    def walk(v, path):
        if isinstance(v, dict):
            if path:
                stats.setdefault(path, [0, 0])[1] += 1
            for k, x in v.items():
                walk(x, path + "/" + k)
        elif isinstance(v, list):
            for x in v:
                walk(x, path)
        elif path and v not in (None, ""):
            stats.setdefault(path, [0, 0])[0 if PH.match(str(v)) else 1] += 1

    for r in recs:
        walk(r, "")
    drop = {p for p, (d, o) in stats.items() if d and not o}

    def tr(v, path):
        if isinstance(v, dict):
            return {k: tr(x, path + "/" + k) for k, x in v.items()
                    if path + "/" + k not in drop}
        if isinstance(v, list):
            return [tr(x, path) for x in v]
        return "" if v is not None and PH.match(str(v)) else v

    return [tr(r, "") for r in recs]


def json_case(seed, lines):
    random.seed(1000 + seed)
    recs = [jobject(0) for _ in range(120)]
    if lines:
        with open("m.jsonl", "w") as f:
            for r in recs:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        mask("m.jsonl", "m.out.jsonl")
        got = [json.loads(l) for l in open("m.out.jsonl")]
    else:
        json.dump(recs, open("m.json", "w"), indent=2, ensure_ascii=False)
        mask("m.json", "m.out.json")
        got = json.load(open("m.out.json"))
    want = json_model(recs)
    return want == got or print("json seed", seed, lines)


bad = sum(not csv_case(s) for s in range(40))
bad += sum(not json_case(s, True) for s in range(6))
bad += sum(not json_case(s, False) for s in range(6))
sys.exit(1 if bad else 0)
EOF
ok
done_ok
