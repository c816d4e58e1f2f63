/* egress/keys.h: a section of egress.h; include egress.h, not this file.
 *
 * Keys.  One 32-byte master key per deployment (or per run, when none is
 * given: an ephemeral key).  Every purpose derives its own subkey from it
 * with HKDF-SHA256 (eg_key_derive), so fingerprints, pseudonyms, FF1 and
 * the audit log never share key material.  A key file is a small versioned
 * text file (docs/internals/KEYS.md):
 *
 *     egress-key v1\n
 *     <64 hex digits>\n
 *
 * kept with mode 0600.  Only the key id (16 hex digits, a hash of the key)
 * is ever printed or written into reports.
 */
#ifndef EGRESS_KEYS_H
#define EGRESS_KEYS_H
#ifdef __cplusplus
extern "C" {
#endif

/** Make a fresh random key (OpenSSL RAND_bytes) with its id.  The key is
 *  marked ephemeral; writing it to a file (eg_key_write) is what makes it
 *  durable.  @return EG_OK, or EG_ERROR when the random generator fails. */
int eg_key_generate(eg_key *out, eg_error *err);

/** Make a key from 32 given bytes (tests, keys held elsewhere) and compute
 *  its id.  @return EG_OK or EG_EINVAL. */
int eg_key_from_bytes(eg_key *out, const unsigned char *bytes, size_t n,
                      eg_error *err);

/** Load a key file.  Refuses (and explains in `err`):
 *  - a symbolic link, a directory or any non-regular file: EG_EPERM;
 *  - a file readable or writable by group or others (mode & 077):
 *    EG_EPERM, with the advice to `chmod 600` it;
 *  - anything but the exact v1 format: EG_EFORMAT;
 *  - a missing file: EG_ENOTFOUND; other read errors: EG_EIO / EG_EPERM.
 *  On failure *out is wiped.  Messages name the path, never key bytes. */
int eg_key_load(eg_key *out, const char *path, eg_error *err);

/** Write `key` to a new file `path` with mode 0600: written to a temporary
 *  file in the same directory, fsync()ed, then linked into place without
 *  ever replacing an existing file (EG_EPERM "exists" if `path` does), and
 *  the directory fsync()ed.  @return EG_OK, EG_EPERM, EG_EIO, EG_EINVAL. */
int eg_key_write(const eg_key *key, const char *path, eg_error *err);

/** Derive `outlen` bytes (1..8160) for `purpose` from `master`:
 *  HKDF-SHA256 (RFC 5869), no salt, info = "egress/" purpose.  Purposes in
 *  use: "fingerprint", "pseudonym", "ff1", "audit".
 *  @return EG_OK, EG_EINVAL, or EG_ERROR when OpenSSL fails. */
int eg_key_derive(const eg_key *master, const char *purpose, unsigned char *out,
                  size_t outlen, eg_error *err);

/** Overwrite a key (bytes and id) with zeros in a way the compiler keeps. */
void eg_key_wipe(eg_key *key);

#ifdef __cplusplus
}
#endif
#endif
