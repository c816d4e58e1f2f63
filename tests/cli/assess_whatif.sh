#!/usr/bin/env bash
# assess_whatif.sh: `egress assess` with counts given on the command line:
# exact output in English text (R9), JSON (R8 at the 1,000,000 boundary)
# and Chinese text (an HK listing), then the pathway at each boundary of
# the decision table through the CLI.
set -u
: "${EGRESS:?EGRESS must name the egress binary}"
fail=0
check() { # name expected actual
    if [ "$2" != "$3" ]; then
        echo "FAIL: $1"
        diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | head -20
        fail=1
    fi
}
pathway() { # args... -> the pathway id from the JSON
    "$EGRESS" assess --as-of 2025-06-01 --format json "$@" |
        grep -o '"pathway":"[a-z_]*"' | head -1 | cut -d'"' -f4
}

out=$("$EGRESS" assess --scenario outbound --individuals 150000 \
    --sensitive-individuals 0 --as-of 2025-06-01)
check "text en R9" "$(cat <<'END'
egress assessment: outbound data transfer
Regime: 2024, Provisions on Promoting and Regulating Cross-Border Data Flows (CAC Order 16, 2024)
As of: 2025-06-01 (individuals counted cumulatively since 1 January of the current year)
Pathway: standard contract filing or personal information protection certification
Individuals: 150,000 (exact); with sensitive PI: 0; under 14: 0
Facts: ciio=no, important_data=no, exemption=none
Deciding rule:
  R9: since 1 January, PI of 100,000 to 999,999 individuals, or sensitive PI of 1 to 9,999 [Provisions (CAC Order 16) Art 8; PI Outbound Certification Measures (CAC/SAMR Order 20)]
    because: ciio == false and ((pi >= 100000 and pi < 1000000) or (spi >= 1 and spi < 10000))
    values: pi = 150,000, spi = 0, ciio = false
Obligations:
  [duty] Inform the individuals of the foreign recipient, purpose, processing and how to exercise their rights, and obtain their separate consent. [PIPL Art 39]
  [duty] Carry out a personal information protection impact assessment before the export and keep the report and processing records for at least 3 years. [PIPL Arts 55-56]
  [duty] Do not split volumes of personal information to stay under a threshold; the counts are cumulative over the regime's window. [SCC Measures Art 4; PI Outbound Certification Measures]
  [duty] Do not provide personal information to foreign judicial or law-enforcement bodies without the approval of the competent PRC authority. [PIPL Art 41; DSL Art 36]
  [duty] File the standard contract with the provincial CAC within 10 working days of it taking effect (re-file on change), or obtain certification (certificates are valid 3 years; the Certification Measures are in force from 1 January 2026). [SCC Measures (CAC Order 13) Art 7; PI Outbound Certification Measures]
Rules: built-in (PRC outbound data transfer and overseas listing (CAC 2022-2024, CSRC 2023); 2025-11)
END
)" "$out"

out=$("$EGRESS" assess --scenario outbound --individuals 1000000 \
    --sensitive-individuals 9999 --as-of 2025-06-01 --format json)
check "json R8" "$(cat <<'END'
{"scenario":"outbound","regime":"2024","regime_title":"Provisions on Promoting and Regulating Cross-Border Data Flows (CAC Order 16, 2024)","as_of":"2025-06-01","pathway":"security_assessment","pathway_name":"security assessment by the CAC","decided":true,"individuals":1000000,"sensitive_individuals":9999,"minors_under_14":0,"counts_exact":true,"error_bound":{"individuals":0,"sensitive_individuals":0,"minors_under_14":0},"counts_source":"given","confidential_markings":0,"inputs":{"ciio":false,"important_data":false,"exemption":"none","venue":"none","platform":true,"processed_individuals":1000000},"rules":[{"id":"R8","status":"fired","citation":"Provisions (CAC Order 16) Art 7(2)","title":"since 1 January, PI of 1,000,000 or more individuals, or sensitive PI of 10,000 or more","pathway":"security_assessment","effective_from":"2024-03-22","condition":"ciio == false and (pi >= 1000000 or spi >= 10000)","values":{"pi":1000000,"spi":9999,"ciio":false}}],"obligations":[{"id":"separate_consent","kind":"duty","status":"applies","citation":"PIPL Art 39","text":"Inform the individuals of the foreign recipient, purpose, processing and how to exercise their rights, and obtain their separate consent."},{"id":"pia","kind":"duty","status":"applies","citation":"PIPL Arts 55-56","text":"Carry out a personal information protection impact assessment before the export and keep the report and processing records for at least 3 years."},{"id":"no_splitting","kind":"duty","status":"applies","citation":"SCC Measures Art 4; PI Outbound Certification Measures","text":"Do not split volumes of personal information to stay under a threshold; the counts are cumulative over the regime's window."},{"id":"sensitive_consent","kind":"duty","status":"applies","citation":"PIPL Arts 28-29","text":"Sensitive personal information of 9,999 individual(s) needs a specific purpose, strict protection and separate consent."},{"id":"foreign_authorities","kind":"duty","status":"applies","citation":"PIPL Art 41; DSL Art 36","text":"Do not provide personal information to foreign judicial or law-enforcement bodies without the approval of the competent PRC authority."},{"id":"sa_validity","kind":"duty","status":"applies","citation":"Provisions (CAC Order 16) Art 9 (unconfirmed)","text":"A passed security assessment is valid for 3 years; apply within 60 working days before it expires to extend it by 3 years."}],"notes":[],"rules_source":"built-in","rules_name":"PRC outbound data transfer and overseas listing (CAC 2022-2024, CSRC 2023)"}
END
)" "$out"

out=$("$EGRESS" assess --scenario listing --venue hk --individuals 2000000 \
    --sensitive-individuals 0 --as-of 2025-06-01 --lang zh)
check "text zh listing hk" "$(cat <<'END'
egress 评估: 境外上市
适用制度: 2023, 《网络安全审查办法》（2022年）与中国证监会境外上市备案规则（2023年）
评估日期: 2025-06-01 (运营者掌握的用户个人信息数量)
路径: 向中国证监会备案（未触发第七条网络安全审查）
个人数量: 2,000,000 (精确); 其中含敏感个人信息: 0; 不满十四周岁: 0
事实: ciio=否, important_data=否, exemption=none, venue=hk, platform=是
决定规则:
  L2: 境内企业直接或间接境外发行上市（含香港） [CSRC Trial Measures (Announcement [2023] No. 43) Arts 2, 13 (Art 13 unconfirmed)]
    条件: 无条件适用
义务:
  [义务] 在境外提交发行上市申请文件后3个工作日内向中国证监会备案。 [CSRC Trial Measures Art 13 (unconfirmed)]
  [义务] 提供、公开披露涉及国家秘密、工作秘密的文件资料，须依法报批并报同级保密行政管理部门备案；其他敏感材料须签订保密协议。 [CSRC Confidentiality and Archives Provisions; CSRC Trial Measures Art 6 (unconfirmed)]
  [义务] 在境内形成的工作底稿应当存放在境内，出境须经批准。 [CSRC Confidentiality and Archives Provisions]
  [义务] 境外监管机构的检查应通过跨境监管合作机制进行；事先取得同意方可配合，不得直接向境外监管机构提供数据。 [CSRC Trial Measures Art 26 (unconfirmed); Confidentiality and Archives Provisions]
  [说明] 香港属于境外但不属于国外，不适用《网络安全审查办法》第七条；但仍可能依第十六条（成员单位依职权启动）或《网络数据安全管理条例》第十三条（影响国家安全的数据处理活动）进行审查。 [Cybersecurity Review Measures Arts 7, 16; NDSMR Art 13]
  [说明] 无论上市地（含香港），影响或者可能影响国家安全的数据处理活动，应当进行国家安全审查。 [NDSMR Art 13; Cybersecurity Review Measures Art 16]
规则来源: built-in (PRC outbound data transfer and overseas listing (CAC 2022-2024, CSRC 2023); 2025-11)
END
)" "$out"

o=(--scenario outbound)
check "99,999" exempt "$(pathway "${o[@]}" --individuals 99999 --sensitive-individuals 0)"
check "100,000" standard_contract_or_certification "$(pathway "${o[@]}" --individuals 100000 --sensitive-individuals 0)"
check "999,999" standard_contract_or_certification "$(pathway "${o[@]}" --individuals 999999 --sensitive-individuals 0)"
check "1,000,000" security_assessment "$(pathway "${o[@]}" --individuals 1000000 --sensitive-individuals 0)"
check "spi 9,999" standard_contract_or_certification "$(pathway "${o[@]}" --individuals 9999 --sensitive-individuals 9999)"
check "spi 10,000" security_assessment "$(pathway "${o[@]}" --individuals 10000 --sensitive-individuals 10000)"
check "spi 1" standard_contract_or_certification "$(pathway "${o[@]}" --individuals 10 --sensitive-individuals 1)"
check "ciio" security_assessment "$(pathway "${o[@]}" --individuals 10 --sensitive-individuals 0 --ciio)"
check "important" security_assessment "$(pathway "${o[@]}" --individuals 0 --sensitive-individuals 0 --important-data)"
check "contract" exempt "$(pathway "${o[@]}" --individuals 5000000 --sensitive-individuals 0 --exemption contract)"
check "2022 100,000" security_assessment "$(pathway "${o[@]}" --regime 2022 --individuals 100000 --sensitive-individuals 0)"
check "2022 99,999" standard_contract_or_certification "$(pathway "${o[@]}" --regime 2022 --individuals 99999 --sensitive-individuals 0)"
check "2022 processed" security_assessment "$(pathway "${o[@]}" --regime 2022 --individuals 10 --sensitive-individuals 0 --processed 1000000)"
l=(--scenario listing)
check "foreign 1,000,001" cybersecurity_review "$(pathway "${l[@]}" --venue foreign --individuals 1000001 --sensitive-individuals 0)"
check "foreign 1,000,000" filing "$(pathway "${l[@]}" --venue foreign --individuals 1000000 --sensitive-individuals 0)"
check "hk" filing "$(pathway "${l[@]}" --venue hk --individuals 9000000 --sensitive-individuals 0)"
check "not platform" filing "$(pathway "${l[@]}" --venue foreign --not-platform --individuals 9000000 --sensitive-individuals 0)"
exit $fail
