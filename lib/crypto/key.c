/*
 * key.c: master keys: generation, the key file, ids and HKDF subkeys.
 *
 * A key file is the one secret egress keeps on disk, so the loader trusts
 * nothing about it: it refuses symbolic links (O_NOFOLLOW: a link planted
 * in a shared directory must not redirect us to another file), anything
 * that is not a regular file (a FIFO would block or feed us garbage), and
 * any file that group or others may read or write (as ssh does for private
 * keys: a key others can read is already lost, and the user must know).
 * The format is exact (docs/internals/KEYS.md), so a truncated or edited
 * file is an error instead of a different key.
 *
 * Writing goes to a temporary file in the target's directory (mode 0600
 * from the start, O_EXCL), is fsync()ed, then linked into place with a
 * no-replace rename: an existing key is never overwritten, since losing it
 * would make every pseudonym and FF1 ciphertext made with it unreadable.
 *
 * Key bytes are wiped (OPENSSL_cleanse) from every buffer we drop.  The
 * key id is a hash of the key under a fixed label, safe to print.
 */
#include "crypto/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#define KEY_MAGIC "egress-key v"
#define KEY_HEADER "egress-key v1\n"
#define KEY_FILE_LEN (sizeof KEY_HEADER - 1 + 2 * EG_KEY_BYTES + 1)
#define ID_LABEL "egress key id"

static const char hexdigits[] = "0123456789abcdef";

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hexdigits[in[i] >> 4];
        out[2 * i + 1] = hexdigits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* id = first 8 bytes of SHA-256("egress key id" || key), as 16 hex. */
static int compute_id(eg_key *key, eg_error *err)
{
    unsigned char msg[sizeof ID_LABEL - 1 + EG_KEY_BYTES];
    unsigned char md[32];
    unsigned int mdlen = 0;
    memcpy(msg, ID_LABEL, sizeof ID_LABEL - 1);
    memcpy(msg + sizeof ID_LABEL - 1, key->bytes, EG_KEY_BYTES);
    int ok = EVP_Digest(msg, sizeof msg, md, &mdlen, EVP_sha256(), NULL);
    OPENSSL_cleanse(msg, sizeof msg);
    if (!ok || mdlen != sizeof md)
        return eg__fail(err, EG_ERROR, "key id: SHA-256 failed in OpenSSL");
    hex_encode(md, 8, key->id);
    return EG_OK;
}

void eg_key_wipe(eg_key *key)
{
    if (key)
        OPENSSL_cleanse(key, sizeof *key);
}

int eg_key_from_bytes(eg_key *out, const unsigned char *bytes, size_t n,
                      eg_error *err)
{
    if (!out || !bytes || n != EG_KEY_BYTES)
        return eg__fail(err, EG_EINVAL, "a key is exactly %d bytes",
                        EG_KEY_BYTES);
    memmove(out->bytes, bytes, EG_KEY_BYTES);
    out->ephemeral = 0;
    int rc = compute_id(out, err);
    if (rc != EG_OK)
        eg_key_wipe(out);
    return rc;
}

int eg_key_generate(eg_key *out, eg_error *err)
{
    if (!out)
        return eg__fail(err, EG_EINVAL, "eg_key_generate: NULL key");
    if (RAND_bytes(out->bytes, EG_KEY_BYTES) != 1) {
        eg_key_wipe(out);
        return eg__fail(err, EG_ERROR,
                        "the random number generator failed (OpenSSL)");
    }
    int rc = compute_id(out, err);
    if (rc != EG_OK) {
        eg_key_wipe(out);
        return rc;
    }
    out->ephemeral = 1;
    return EG_OK;
}

/* ---------------------------------------------------------------- loading */

static int open_error(const char *path, int e, eg_error *err)
{
    switch (e) {
    case ENOENT:
    case ENOTDIR:
        return eg__fail(err, EG_ENOTFOUND, "key file %s: no such file", path);
    case ELOOP:
        return eg__fail(err, EG_EPERM,
                        "key file %s is a symbolic link; refusing it (give "
                        "the real path)",
                        path);
    case EACCES:
    case EPERM:
        return eg__fail(err, EG_EPERM, "key file %s: permission denied", path);
    default:
        return eg__fail(err, EG_EIO, "key file %s: %s", path, strerror(e));
    }
}

/* Check what the open descriptor is: a regular file nobody else can read
 * or write.  fstat() on the descriptor, not stat() on the name, so that the
 * file checked is the file read. */
static int check_key_fd(int fd, const char *path, eg_error *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return eg__fail(err, EG_EIO, "key file %s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return eg__fail(err, EG_EPERM,
                        "key file %s is not a regular file; refusing it", path);
    if (st.st_mode & 077)
        return eg__fail(err, EG_EPERM,
                        "key file %s is accessible by group or others (mode "
                        "%04o); run `chmod 600 %s` (and consider the key "
                        "exposed)",
                        path, (unsigned)(st.st_mode & 07777), path);
    if (st.st_size != (off_t)KEY_FILE_LEN)
        return eg__fail(err, EG_EFORMAT,
                        "key file %s: wrong size (%lld bytes, a v1 key file "
                        "has %zu)",
                        path, (long long)st.st_size, (size_t)KEY_FILE_LEN);
    return EG_OK;
}

/* Read up to `cap` bytes; returns the count or -1 with errno. */
static ssize_t read_all(int fd, unsigned char *buf, size_t cap)
{
    size_t got = 0;
    while (got < cap) {
        ssize_t r = read(fd, buf + got, cap - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

static int parse_key_file(const unsigned char *buf, size_t n, eg_key *out,
                          const char *path, eg_error *err)
{
    size_t hl = sizeof KEY_HEADER - 1;
    if (n < sizeof KEY_MAGIC - 1 ||
        memcmp(buf, KEY_MAGIC, sizeof KEY_MAGIC - 1) != 0)
        return eg__fail(err, EG_EFORMAT,
                        "key file %s: not an egress key file (it must start "
                        "with \"egress-key v1\")",
                        path);
    if (n != KEY_FILE_LEN || memcmp(buf, KEY_HEADER, hl) != 0)
        return eg__fail(err, EG_EFORMAT,
                        "key file %s: unsupported version or malformed header "
                        "(this egress reads \"egress-key v1\")",
                        path);
    for (size_t i = 0; i < EG_KEY_BYTES; i++) {
        int hi = hex_value(buf[hl + 2 * i]);
        int lo = hex_value(buf[hl + 2 * i + 1]);
        if (hi < 0 || lo < 0)
            return eg__fail(err, EG_EFORMAT,
                            "key file %s: line 2 must be 64 hex digits", path);
        out->bytes[i] = (unsigned char)(hi << 4 | lo);
    }
    if (buf[n - 1] != '\n')
        return eg__fail(err, EG_EFORMAT,
                        "key file %s: line 2 must be 64 hex digits and a "
                        "newline",
                        path);
    return EG_OK;
}

int eg_key_load(eg_key *out, const char *path, eg_error *err)
{
    if (!out || !path || !*path)
        return eg__fail(err, EG_EINVAL, "eg_key_load: no key or path");
    eg_key_wipe(out);
    int fd =
        open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return open_error(path, errno, err);
    unsigned char buf[KEY_FILE_LEN + 1];
    int rc = check_key_fd(fd, path, err);
    if (rc == EG_OK) {
        ssize_t n = read_all(fd, buf, sizeof buf);
        if (n < 0)
            rc =
                eg__fail(err, EG_EIO, "key file %s: %s", path, strerror(errno));
        else
            rc = parse_key_file(buf, (size_t)n, out, path, err);
    }
    close(fd);
    OPENSSL_cleanse(buf, sizeof buf);
    if (rc == EG_OK)
        rc = compute_id(out, err);
    if (rc != EG_OK)
        eg_key_wipe(out);
    else
        out->ephemeral = 0;
    return rc;
}

/* ---------------------------------------------------------------- writing */

static int write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Split `path` into its directory (for the temp file and the fsync). */
static int dir_of(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return snprintf(dir, cap, ".") < (int)cap ? 0 : -1;
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    if (n >= cap)
        return -1;
    memcpy(dir, path, n);
    dir[n] = '\0';
    return 0;
}

/* Move `tmp` to `path` unless `path` exists.  renameat2(RENAME_NOREPLACE)
 * where the file system has it, else link()+unlink(), which is just as
 * atomic about refusing an existing target. */
static int place_no_replace(const char *tmp, const char *path)
{
#ifdef RENAME_NOREPLACE
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        return -1;
#endif
    if (link(tmp, path) != 0)
        return -1;
    unlink(tmp);
    return 0;
}

static void sync_dir(const char *dir)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
}

/* The file's content, built in a buffer the caller wipes. */
static void format_key_file(const eg_key *key, char *buf)
{
    size_t hl = sizeof KEY_HEADER - 1;
    memcpy(buf, KEY_HEADER, hl);
    hex_encode(key->bytes, EG_KEY_BYTES, buf + hl);
    buf[KEY_FILE_LEN - 1] = '\n';
}

static int create_temp(const char *dir, char *tmp, size_t cap, const char *path,
                       eg_error *err)
{
    for (int attempt = 0; attempt < 16; attempt++) {
        unsigned char r[8];
        char rh[17];
        if (RAND_bytes(r, sizeof r) != 1)
            return eg__fail(err, EG_ERROR, "random generator failed");
        hex_encode(r, sizeof r, rh);
        if (snprintf(tmp, cap, "%s/.egress-key.%s.tmp", dir, rh) >= (int)cap)
            return eg__fail(err, EG_EINVAL, "key file %s: path too long", path);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                      0600);
        if (fd >= 0)
            return fd;
        if (errno != EEXIST)
            return eg__fail(err, errno == EACCES ? EG_EPERM : EG_EIO,
                            "key file %s: cannot create a file in %s: %s", path,
                            dir, strerror(errno));
    }
    return eg__fail(err, EG_EIO, "key file %s: no free temporary name", path);
}

int eg_key_write(const eg_key *key, const char *path, eg_error *err)
{
    if (!key || !path || !*path)
        return eg__fail(err, EG_EINVAL, "eg_key_write: no key or path");
    struct stat st;
    if (lstat(path, &st) == 0)
        return eg__fail(err, EG_EPERM,
                        "key file %s already exists; refusing to overwrite it",
                        path);
    char dir[4096], tmp[4096 + 64];
    if (dir_of(path, dir, sizeof dir) != 0)
        return eg__fail(err, EG_EINVAL, "key file path too long");
    int fd = create_temp(dir, tmp, sizeof tmp, path, err);
    if (fd < 0)
        return fd;

    char buf[KEY_FILE_LEN];
    format_key_file(key, buf);
    int rc = EG_OK;
    if (fchmod(fd, 0600) != 0 || write_all(fd, buf, sizeof buf) != 0 ||
        fsync(fd) != 0)
        rc = eg__fail(err, EG_EIO, "key file %s: writing failed: %s", path,
                      strerror(errno));
    OPENSSL_cleanse(buf, sizeof buf);
    if (close(fd) != 0 && rc == EG_OK)
        rc = eg__fail(err, EG_EIO, "key file %s: close failed: %s", path,
                      strerror(errno));
    if (rc == EG_OK && place_no_replace(tmp, path) != 0)
        rc = eg__fail(
            err, errno == EEXIST ? EG_EPERM : EG_EIO, "key file %s: %s", path,
            errno == EEXIST ? "already exists; refusing to overwrite it"
                            : strerror(errno));
    if (rc != EG_OK)
        unlink(tmp);
    else
        sync_dir(dir);
    return rc;
}

/* ------------------------------------------------------------ derivation */

int eg_key_derive(const eg_key *master, const char *purpose, unsigned char *out,
                  size_t outlen, eg_error *err)
{
    if (!master || !purpose || !*purpose || !out || outlen == 0 ||
        outlen > 255 * 32 || strlen(purpose) > 64)
        return eg__fail(err, EG_EINVAL,
                        "eg_key_derive: bad purpose or output length");
    unsigned char info[7 + 64];
    size_t plen = strlen(purpose);
    memcpy(info, "egress/", 7);
    memcpy(info + 7, purpose, plen);

    int ok = 0;
    size_t got = outlen;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
    if (pctx && EVP_PKEY_derive_init(pctx) > 0 &&
        EVP_PKEY_CTX_set_hkdf_md(pctx, EVP_sha256()) > 0 &&
        EVP_PKEY_CTX_set1_hkdf_key(pctx, master->bytes, EG_KEY_BYTES) > 0 &&
        EVP_PKEY_CTX_add1_hkdf_info(pctx, info, (int)(7 + plen)) > 0 &&
        EVP_PKEY_derive(pctx, out, &got) > 0 && got == outlen)
        ok = 1;
    int code = pctx ? EG_ERROR : EG_ENOMEM;
    EVP_PKEY_CTX_free(pctx);
    if (!ok) {
        OPENSSL_cleanse(out, outlen);
        return eg__fail(err, code, "HKDF-SHA256 failed in OpenSSL");
    }
    return EG_OK;
}
