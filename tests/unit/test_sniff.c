/*
 * test_sniff.c: the binary and format sniffers on small heads, as tables:
 * NUL, control-byte share, UTF-16 BOM, GBK and broken UTF-8 (text); format
 * by extension (also under .gz/.zst) and by content, with the near misses
 * that must stay text (prose with commas, "[INFO]" log lines).
 */
#include "read/source.h"
#include "eg_test.h"

#define S(lit) (const unsigned char *)(lit), sizeof(lit) - 1

EG_TEST(binary_sniff)
{
    EG_CHECK_INT(eg__sniff_binary(S("")), 0);
    EG_CHECK_INT(eg__sniff_binary(NULL, 0), 0);
    EG_CHECK_INT(eg__sniff_binary(S("hello, world\n")), 0);
    EG_CHECK_INT(eg__sniff_binary(S("ab\0cd")), 1);
    EG_CHECK_INT(eg__sniff_binary(S("\0")), 1);
    /* GBK "张三,男" and a UTF-8 sequence cut in half: text. */
    EG_CHECK_INT(eg__sniff_binary(S("\xd5\xc5\xc8\xfd,\xc4\xd0\n")), 0);
    EG_CHECK_INT(eg__sniff_binary(S("name \xe4\xb8 broken\n")), 0);
    EG_CHECK_INT(eg__sniff_binary(S("\xe5\xbc\xa0\xe4\xb8\x89\n")), 0);
    /* UTF-16 with a BOM, with or without NULs in the head. */
    EG_CHECK_INT(eg__sniff_binary(S("\xff\xfeh\0i\0")), 1);
    EG_CHECK_INT(eg__sniff_binary(S("\xfe\xff\x4e\x2d")), 1);
    EG_CHECK_INT(eg__sniff_binary(S("\xff\xfe\x2d\x4e")), 1);
    /* Colour codes, form feeds, CRLF, tabs: text. */
    EG_CHECK_INT(eg__sniff_binary(S("\x1b[31mERROR\x1b[0m x\r\n\t\f\v\n")), 0);
    EG_CHECK_INT(eg__sniff_binary(S("\x01\x02\x03\x04\x05\x06\x07\x08")), 1);
    EG_CHECK_INT(eg__sniff_binary(S("\x7f\x7f\x7f"
                                    "ab")),
                 1);
    /* The 30% line: 30 of 100 is text, 31 of 100 binary. */
    unsigned char buf[100];
    memset(buf, 'a', sizeof buf);
    memset(buf, 0x01, 30);
    EG_CHECK_INT(eg__sniff_binary(buf, sizeof buf), 0);
    buf[30] = 0x02;
    EG_CHECK_INT(eg__sniff_binary(buf, sizeof buf), 1);
    /* Only the first n bytes count. */
    EG_CHECK_INT(eg__sniff_binary((const unsigned char *)"abc\0", 3), 0);
}

EG_TEST(format_by_extension)
{
    /* The extension wins over content. */
    EG_CHECK_INT(eg__sniff_format("a.csv", S("just words\n")), EG_FORMAT_CSV);
    EG_CHECK_INT(eg__sniff_format("dir/A.CSV", S("")), EG_FORMAT_CSV);
    EG_CHECK_INT(eg__sniff_format("x.tsv", S("a,b,c\n1,2,3\n")), EG_FORMAT_TSV);
    EG_CHECK_INT(eg__sniff_format("x.tab", S("")), EG_FORMAT_TSV);
    EG_CHECK_INT(eg__sniff_format("x.json", S("{\"a\":1}\n{\"a\":2}\n")),
                 EG_FORMAT_JSON);
    EG_CHECK_INT(eg__sniff_format("x.jsonl", S("")), EG_FORMAT_JSONL);
    EG_CHECK_INT(eg__sniff_format("x.NDJSON", S("")), EG_FORMAT_JSONL);
    EG_CHECK_INT(eg__sniff_format("logs/app.log", S("a,b,c\n1,2,3\n")),
                 EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("notes.md", S("{\"a\":1}\n")),
                 EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("conf.ini", S("a,b,c\n1,2,3\n")),
                 EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("readme.txt", S("[1,2]\n")), EG_FORMAT_TEXT);
    /* Compression suffixes are stripped once. */
    EG_CHECK_INT(eg__sniff_format("x.csv.gz", S("")), EG_FORMAT_CSV);
    EG_CHECK_INT(eg__sniff_format("x.jsonl.zst", S("")), EG_FORMAT_JSONL);
    EG_CHECK_INT(eg__sniff_format("x.json.zstd", S("")), EG_FORMAT_JSON);
    EG_CHECK_INT(eg__sniff_format("x.log.GZ", S("a,b,c\n1,2,3\n")),
                 EG_FORMAT_TEXT);
    /* No usable extension: the content decides. */
    EG_CHECK_INT(eg__sniff_format("x.gz", S("a,b,c\n1,2,3\n")), EG_FORMAT_CSV);
    EG_CHECK_INT(eg__sniff_format("dir.csv/data", S("plain words\n")),
                 EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format(".csv", S("plain words\n")), EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("x.dat", S("a,b,c\n1,2,3\n")), EG_FORMAT_CSV);
    EG_CHECK_INT(eg__sniff_format(NULL, S("a,b,c\n1,2,3\n")), EG_FORMAT_CSV);
    EG_CHECK_INT(eg__sniff_format("-", S("{\"a\":1}\n")), EG_FORMAT_JSONL);
    EG_CHECK_INT(eg__sniff_format("-", NULL, 0), EG_FORMAT_TEXT);
}

EG_TEST(format_csv_tsv_by_content)
{
    EG_CHECK_INT(eg__sniff_format("-", S("name,phone,city\nzhang,1,bj\n"
                                         "li,2,sh\n")),
                 EG_FORMAT_CSV);
    EG_CHECK_INT(eg__sniff_format("-", S("\xe5\xa7\x93\xe5\x90\x8d,phone,"
                                         "addr\nzhang,1,bj\n")),
                 EG_FORMAT_CSV);
    EG_CHECK_INT(eg__sniff_format("-", S("name\tphone\nzhang\t1\n")),
                 EG_FORMAT_TSV);
    EG_CHECK_INT(eg__sniff_format("-", S("a,b,c\r\n1,2,3\r\n")), EG_FORMAT_CSV);
    /* Quoted commas and doubled quotes do not count. */
    EG_CHECK_INT(eg__sniff_format("-", S("name,addr,note\n\"zhang\",\"a, b, "
                                         "c\",\"say \"\"hi\"\", ok\"\n")),
                 EG_FORMAT_CSV);
    /* A quoted field spanning lines is one record. */
    EG_CHECK_INT(eg__sniff_format("-", S("id,addr,x\n1,\"line one\nline "
                                         "two\",y\n2,z,w\n")),
                 EG_FORMAT_CSV);
    /* The head may cut the last record: a short tail does not veto. */
    EG_CHECK_INT(eg__sniff_format("-", S("a,b,c\n1,2,3\n4,5")), EG_FORMAT_CSV);
    EG_CHECK_INT(eg__sniff_format("-", S("a,b,c\n1,2,3")), EG_FORMAT_CSV);
    /* Blank lines between and after records are fine. */
    EG_CHECK_INT(eg__sniff_format("-", S("a,b,c\n\n1,2,3\n\n")), EG_FORMAT_CSV);

    /* Near misses: text. */
    EG_CHECK_INT(eg__sniff_format("-", S("Hello, world, this is prose.\n"
                                         "Another line, with, commas.\n")),
                 EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("-", S("a,b\nc,d\n")), EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("-", S("a,b,c\n1,2\n")), EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("-", S("a,b,c\n")), EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("-", S("a,,c\n1,2,3\n")), EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("-", S("13800138000,x,y\n"
                                         "13900139000,a,b\n")),
                 EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("-", S("mail,a@b.cn,x\n1,2,3\n")),
                 EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("-", S("\tindented\n\tcode\n")),
                 EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("-", S("just one line of words\n")),
                 EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("-", S("")), EG_FORMAT_TEXT);
}

EG_TEST(format_json_by_content)
{
    EG_CHECK_INT(eg__sniff_format("-", S("{\"a\":1}\n{\"a\":2}\n")),
                 EG_FORMAT_JSONL);
    EG_CHECK_INT(eg__sniff_format("-", S("[1,2]\n[3,4]\n")), EG_FORMAT_JSONL);
    EG_CHECK_INT(eg__sniff_format("-", S("{\"a\":1}")), EG_FORMAT_JSONL);
    EG_CHECK_INT(eg__sniff_format("-", S("  \n {\"a\":1}\n{\"b\":2}\n")),
                 EG_FORMAT_JSONL);
    /* The second line may be cut by the head. */
    EG_CHECK_INT(eg__sniff_format("-", S("{\"a\":1}\n{\"b\":\"x")),
                 EG_FORMAT_JSONL);
    EG_CHECK_INT(eg__sniff_format("-", S("{\n  \"a\": [1, 2.5e3, true, "
                                         "null],\n  \"b\": \"\\u5f20\"\n}\n")),
                 EG_FORMAT_JSON);
    EG_CHECK_INT(eg__sniff_format("-", S("[{\"a\":1},\n{\"a\":-2}]")),
                 EG_FORMAT_JSON);
    /* One value larger than the head. */
    EG_CHECK_INT(eg__sniff_format("-", S("[{\"a\":1}, {\"b\":")),
                 EG_FORMAT_JSON);
    EG_CHECK_INT(eg__sniff_format("-", S("{\"a\":1} {\"b\":2}\n")),
                 EG_FORMAT_JSON);
    EG_CHECK_INT(eg__sniff_format("-", S("{\n\"a\":1\n}\n{\n\"b\":2\n}\n")),
                 EG_FORMAT_JSON);
    /* A UTF-8 BOM is skipped. */
    EG_CHECK_INT(eg__sniff_format("-", S("\xef\xbb\xbf{\"a\":1}\n")),
                 EG_FORMAT_JSONL);
    EG_CHECK_INT(eg__sniff_format("-", S("\xef\xbb\xbfname,phone,id\n"
                                         "zhang,1,2\n")),
                 EG_FORMAT_CSV);

    /* Looks like JSON at first sight, is not. */
    EG_CHECK_INT(eg__sniff_format("-", S("[INFO] started\n[INFO] done\n")),
                 EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("-", S("[2024-01-01 12:00:00] up\n")),
                 EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("-", S("{not json}\n")), EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("-", S("{\"a\":1} trailing words\n")),
                 EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("-", S("{\"a\":1}\nplain text\n")),
                 EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("-", S("{\"a\":01}\n")), EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("-", S("{\"a\":\"\\x\"}\n")), EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("-", S("{\"a\":tru}\n")), EG_FORMAT_TEXT);
    EG_CHECK_INT(eg__sniff_format("-", S("[1,]\n")), EG_FORMAT_TEXT);
}

EG_TEST(json_deep_nesting)
{
    /* 10000 '[': taken on trust past the depth cap, no stack blow-up. */
    static unsigned char deep[10000];
    memset(deep, '[', sizeof deep);
    EG_CHECK_INT(eg__sniff_format("-", deep, sizeof deep), EG_FORMAT_JSON);
}

int main(void)
{
    EG_RUN(binary_sniff);
    EG_RUN(format_by_extension);
    EG_RUN(format_csv_tsv_by_content);
    EG_RUN(format_json_by_content);
    EG_RUN(json_deep_nesting);
    return EG_TEST_END();
}
