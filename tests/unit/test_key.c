/*
 * test_key.c: master keys.  Key ids and HKDF subkeys against values
 * computed independently (Python's hashlib/hmac, RFC 5869 written out);
 * the key file: write/load round trip, mode 0600, no overwrite, refusal
 * of group/world-accessible files, symbolic links, directories and FIFOs,
 * strict format checks, and no key bytes in any error message.
 */
#include "crypto/crypto.h"
#include "eg_test.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];

static const char *tpath(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static void write_file(const char *path, const char *content, mode_t mode)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    EG_CHECK(fd >= 0);
    if (fd < 0)
        return;
    EG_CHECK(write(fd, content, strlen(content)) == (ssize_t)strlen(content));
    close(fd);
    chmod(path, mode);
}

static void key_0_to_31(eg_key *k)
{
    unsigned char b[32];
    for (int i = 0; i < 32; i++)
        b[i] = (unsigned char)i;
    EG_CHECK_INT(eg_key_from_bytes(k, b, 32, NULL), EG_OK);
}

static const char *const key_0_to_31_hex =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

EG_TEST(id_and_from_bytes)
{
    eg_key k;
    key_0_to_31(&k);
    /* sha256("egress key id" || 00 01 .. 1f)[:8] */
    EG_CHECK_STR(k.id, "6c0cd557c542a968");
    EG_CHECK_INT(k.ephemeral, 0);
    eg_error err;
    EG_CHECK_INT(eg_key_from_bytes(&k, k.bytes, 31, &err), EG_EINVAL);
}

EG_TEST(generate)
{
    eg_key a, b;
    EG_CHECK_INT(eg_key_generate(&a, NULL), EG_OK);
    EG_CHECK_INT(eg_key_generate(&b, NULL), EG_OK);
    EG_CHECK(memcmp(a.bytes, b.bytes, 32) != 0);
    EG_CHECK(strcmp(a.id, b.id) != 0);
    EG_CHECK_INT(strlen(a.id), 16);
    EG_CHECK_INT(strspn(a.id, "0123456789abcdef"), 16);
    EG_CHECK_INT(a.ephemeral, 1);
    eg_key c;
    EG_CHECK_INT(eg_key_from_bytes(&c, a.bytes, 32, NULL), EG_OK);
    EG_CHECK_STR(c.id, a.id);
    eg_key_wipe(&a);
    static const eg_key zero;
    EG_CHECK(memcmp(&a, &zero, sizeof a) == 0);
}

EG_TEST(derive_known_answers)
{
    eg_key k;
    key_0_to_31(&k);
    unsigned char out[40];
    char hx[81];
    eg_error err;
    static const struct {
        const char *purpose, *hex;
    } rows[] = {
        {"fingerprint",
         "699487a0e855c60a441568d26f05cfa154fb31af9e7af30255d36d39afeda107"},
        {"pseudonym",
         "80b3cf491a0531594b57f9a12f83fd35c7a1c635dfe7c7869f43303b681b3739"},
        {"ff1",
         "e5103d65a59cb1a2a506ba0c1dbc144238e6cae91e6db8c8d1b0a21ea047faf0"},
    };
    for (size_t i = 0; i < EG_ARRAY_LEN(rows); i++) {
        EG_CHECK_INT(eg_key_derive(&k, rows[i].purpose, out, 32, &err), EG_OK);
        for (int j = 0; j < 32; j++)
            sprintf(hx + 2 * j, "%02x", out[j]);
        EG_CHECK_STR(hx, rows[i].hex);
    }
    /* longer than one HMAC block: T(1) || T(2) prefix */
    EG_CHECK_INT(eg_key_derive(&k, "ff1", out, 40, &err), EG_OK);
    for (int j = 0; j < 40; j++)
        sprintf(hx + 2 * j, "%02x", out[j]);
    EG_CHECK_STR(hx, "e5103d65a59cb1a2a506ba0c1dbc144238e6cae91e6db8c8d1b0a21e"
                     "a047faf0d1ae67bc16c294a2");
    static unsigned char big[8161];
    EG_CHECK_INT(eg_key_derive(&k, "audit", big, 8160, &err), EG_OK);
    EG_CHECK_INT(eg_key_derive(&k, "audit", big, 8161, &err), EG_EINVAL);
    EG_CHECK_INT(eg_key_derive(&k, "audit", big, 0, &err), EG_EINVAL);
    EG_CHECK_INT(eg_key_derive(&k, "", big, 32, &err), EG_EINVAL);
    EG_CHECK_INT(eg_key_derive(&k, NULL, big, 32, &err), EG_EINVAL);
}

EG_TEST(write_then_load)
{
    eg_key k, l;
    eg_error err;
    EG_CHECK_INT(eg_key_generate(&k, &err), EG_OK);
    const char *p = tpath("a.key");
    EG_CHECK_INT(eg_key_write(&k, p, &err), EG_OK);
    struct stat st;
    EG_CHECK_INT(stat(p, &st), 0);
    EG_CHECK_INT(st.st_mode & 07777, 0600);
    EG_CHECK_INT(st.st_size, 79);
    EG_CHECK_INT(eg_key_load(&l, p, &err), EG_OK);
    EG_CHECK(memcmp(k.bytes, l.bytes, 32) == 0);
    EG_CHECK_STR(l.id, k.id);
    EG_CHECK_INT(l.ephemeral, 0);

    /* never overwrites, and leaves the existing key intact */
    eg_key other;
    EG_CHECK_INT(eg_key_generate(&other, NULL), EG_OK);
    EG_CHECK_INT(eg_key_write(&other, p, &err), EG_EPERM);
    EG_CHECK(strstr(err.message, "exists") != NULL);
    EG_CHECK_INT(eg_key_load(&l, p, &err), EG_OK);
    EG_CHECK_STR(l.id, k.id);

    /* a relative path in the current directory works too */
    EG_CHECK_INT(eg_key_write(&k, "", &err), EG_EINVAL);
    /* no temporary files are left behind */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls -A %s | grep -c tmp >/dev/null", tmpdir);
    EG_CHECK(system(cmd) != 0);
}

EG_TEST(known_file_content)
{
    char content[100];
    snprintf(content, sizeof content, "egress-key v1\n%s\n", key_0_to_31_hex);
    const char *p = tpath("known.key");
    write_file(p, content, 0600);
    eg_key k;
    EG_CHECK_INT(eg_key_load(&k, p, NULL), EG_OK);
    EG_CHECK_STR(k.id, "6c0cd557c542a968");
    /* upper-case hex is the same key */
    for (char *c = content + 14; *c; c++)
        if (*c >= 'a' && *c <= 'f')
            *c = (char)(*c - 'a' + 'A');
    write_file(p, content, 0600);
    EG_CHECK_INT(eg_key_load(&k, p, NULL), EG_OK);
    EG_CHECK_STR(k.id, "6c0cd557c542a968");
}

EG_TEST(refuses_open_permissions)
{
    eg_key k;
    eg_error err;
    EG_CHECK_INT(eg_key_generate(&k, NULL), EG_OK);
    const char *p = tpath("perm.key");
    unlink(p);
    EG_CHECK_INT(eg_key_write(&k, p, &err), EG_OK);
    static const mode_t bad[] = {0644, 0640, 0604, 0620, 0602, 0610, 0666};
    for (size_t i = 0; i < EG_ARRAY_LEN(bad); i++) {
        chmod(p, bad[i]);
        eg_key l;
        EG_CHECK_INT(eg_key_load(&l, p, &err), EG_EPERM);
        EG_CHECK(strstr(err.message, "chmod 600") != NULL);
        static const eg_key zero;
        EG_CHECK(memcmp(&l, &zero, sizeof l) == 0); /* wiped on failure */
    }
    chmod(p, 0400); /* read-only for the owner is fine */
    EG_CHECK_INT(eg_key_load(&k, p, &err), EG_OK);
}

EG_TEST(refuses_links_dirs_fifos)
{
    eg_key k;
    eg_error err;
    EG_CHECK_INT(eg_key_generate(&k, NULL), EG_OK);
    const char *real = tpath("real.key");
    const char *link = tpath("link.key");
    EG_CHECK_INT(eg_key_write(&k, real, &err), EG_OK);
    EG_CHECK_INT(symlink(real, link), 0);
    EG_CHECK_INT(eg_key_load(&k, link, &err), EG_EPERM);
    EG_CHECK(strstr(err.message, "symbolic link") != NULL);
    /* writing through a dangling or live link is refused as well */
    EG_CHECK_INT(eg_key_write(&k, link, &err), EG_EPERM);

    EG_CHECK_INT(eg_key_load(&k, tmpdir, &err), EG_EPERM);
    const char *fifo = tpath("fifo.key");
    EG_CHECK_INT(mkfifo(fifo, 0600), 0);
    EG_CHECK_INT(eg_key_load(&k, fifo, &err), EG_EPERM); /* and no hang */
    EG_CHECK(strstr(err.message, "regular") != NULL);
    EG_CHECK_INT(eg_key_load(&k, tpath("missing.key"), &err), EG_ENOTFOUND);
}

EG_TEST(refuses_malformed)
{
    char good[100];
    snprintf(good, sizeof good, "egress-key v1\n%s\n", key_0_to_31_hex);
    char v2[100], badhex[100], nonl[100], extra[110], crlf[110];
    snprintf(v2, sizeof v2, "egress-key v2\n%s\n", key_0_to_31_hex);
    snprintf(badhex, sizeof badhex, "%s", good);
    badhex[20] = 'g';
    snprintf(nonl, sizeof nonl, "egress-key v1\n%s", key_0_to_31_hex);
    snprintf(extra, sizeof extra, "%sx\n", good);
    snprintf(crlf, sizeof crlf, "egress-key v1\r\n%s\n", key_0_to_31_hex);
    char shorthex[100];
    snprintf(shorthex, sizeof shorthex, "egress-key v1\n%.62s\n\n\n",
             key_0_to_31_hex);
    const char *cases[] = {"",    "hello\n", v2,       badhex,           nonl,
                           extra, crlf,      shorthex, "egress-key v1\n"};
    const char *p = tpath("bad.key");
    for (size_t i = 0; i < EG_ARRAY_LEN(cases); i++) {
        write_file(p, cases[i], 0600);
        eg_key k;
        eg_error err;
        err.message[0] = '\0';
        EG_CHECK_INT(eg_key_load(&k, p, &err), EG_EFORMAT);
        /* the message names the path but never echoes key material */
        EG_CHECK(strstr(err.message, "bad.key") != NULL);
        EG_CHECK(strstr(err.message, "0102030405") == NULL);
    }
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/eg-test-key-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    EG_RUN(id_and_from_bytes);
    EG_RUN(generate);
    EG_RUN(derive_known_answers);
    EG_RUN(write_then_load);
    EG_RUN(known_file_content);
    EG_RUN(refuses_open_permissions);
    EG_RUN(refuses_links_dirs_fifos);
    EG_RUN(refuses_malformed);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return EG_TEST_END();
}
