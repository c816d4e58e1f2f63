#!/usr/bin/env python3
"""mksamples.py: write the small synthetic sample set in samples/ that the
README's first command scans.  Every value is made up but well-formed
(resident IDs with correct MOD 11-2 check, Luhn-valid UnionPay cards,
allocated mobile segments), so the scan shows each detector at work.
Deterministic: python3 tools/mksamples.py samples"""
import gzip, json, os, random, sys

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
def rid(region, ymd, seq):
    body = "%s%s%03d" % (region, ymd, seq)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, W)) % 11]

def luhn(body):
    for c in "0123456789":
        s = body + c
        t = 0
        for i, ch in enumerate(reversed(s)):
            d = int(ch) * (2 if i % 2 else 1)
            t += d - 9 if d > 9 else d
        if t % 10 == 0:
            return s

r = random.Random(2026)
names = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "欧阳雪", "赵敏"]
regions = [("110105", "北京市朝阳区建国路%d号"), ("310104", "上海市徐汇区漕溪北路%d号"),
           ("440305", "广东省深圳市南山区科技园路%d号"), ("330106", "浙江省杭州市西湖区文三路%d号")]
people = []
for i, n in enumerate(names):
    reg, addr = regions[i % 4]
    y = r.randint(1960, 2015)
    people.append(dict(name=n, id=rid(reg, "%04d%02d%02d" % (y, r.randint(1, 12), r.randint(1, 28)),
                                      r.randint(1, 999)),
                       mobile=r.choice(["138", "139", "186", "159"]) + "%08d" % r.randint(0, 99999999),
                       email="user%02d@example.cn" % i, card=luhn("622202" + "%012d" % r.randint(0, 10**12 - 1)),
                       addr=addr % r.randint(1, 300)))
out = sys.argv[1] if len(sys.argv) > 1 else "samples"
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "customers.csv"), "w", encoding="utf-8", newline="") as f:
    f.write("\ufeff姓名,身份证号,手机号,邮箱,银行卡号,收货地址\r\n")
    for p in people:
        f.write("%s,%s,%s,%s,%s,\"%s\"\r\n" % (p["name"], p["id"], p["mobile"], p["email"], p["card"], p["addr"]))
with open(os.path.join(out, "api.jsonl"), "w", encoding="utf-8") as f:
    for p in people[:4]:
        f.write(json.dumps({"path": "/kyc/verify", "body": {"realName": p["name"], "idCard": p["id"],
                "phone": p["mobile"]}, "client": {"ip": "203.0.113.%d" % r.randint(1, 254),
                "location": {"lat": 31.2304, "lng": 121.4737}}}, ensure_ascii=False) + "\n")
with gzip.open(os.path.join(out, "app.log.gz"), "wt", encoding="utf-8") as f:
    for i, p in enumerate(people):
        f.write("2026-03-%02d 10:00:%02d INFO login ok user=%s phone=+86 %s %s %s from 198.51.100.%d\n" %
                (i + 1, i, p["email"], p["mobile"][:3], p["mobile"][3:7], p["mobile"][7:], i + 10))
    f.write("2026-03-09 10:00:09 INFO build 4.12.7.1 deployed\n")
with open(os.path.join(out, "notice.txt"), "w", encoding="utf-8") as f:
    f.write("机密★10年\n\n关于客户资料管理的通知\n联系人：%s，电话：010-6552 8899，邮箱：%s\n"
            "请核对%s先生的身份证号码 %s 与护照号码：E%08d。\n"
            "aws_access_key_id = AKIA%s\n" % (people[1]["name"], people[1]["email"], people[0]["name"],
                                              people[0]["id"], r.randint(0, 10**8 - 1),
                                              "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))))
print("wrote samples to", out)
