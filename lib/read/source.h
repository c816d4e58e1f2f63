/*
 * source.h: the input layer (the "read" stage).  A source yields the bytes
 * of one input in order: a regular file, standard input, or a gzip / zstd
 * stream decompressed on the fly (detected by magic bytes, not by name).
 * Offsets in findings count these yielded bytes.  The walker turns command
 * line arguments into the list of inputs.
 *
 * Memory: a source holds one fixed decompression window, whatever the
 * input's size.  Nothing here ever puts input bytes into an error message.
 */
#ifndef EG_SOURCE_H
#define EG_SOURCE_H

#include "common/eg_common.h"
#include "read/charset.h"

typedef struct eg_source eg_source;

/** Limits applied while reading compressed input (plain input has none).
 *  0 turns a limit off.  A NULL limits pointer means 16 GiB and 1000:1. */
typedef struct eg_source_limits {
    uint64_t max_decompressed; /**< bytes out of one compressed input; the
                                    first `max_decompressed` bytes are
                                    returned, then EG_ELIMIT */
    uint32_t max_ratio;        /**< out:in cap, checked once past 1 MiB out */
    int charset;               /**< EG_CHARSET_* (charset.h): RAW (0) yields
                                    the bytes as they are; AUTO and GB18030
                                    yield GB18030 text decoded to UTF-8 */
} eg_source_limits;

/** Open `path` ("-" = standard input; `display` is the name used in
 *  messages).  Sniffs gzip (1f 8b) and zstd (28 b5 2f fd, or a skippable
 *  frame 5? 2a 4d 18 as pzstd writes first) magic and, if found,
 *  decompresses transparently (multi-member gzip, zero padding after the
 *  last member, multi-frame and skippable-frame zstd included).  Refuses what
 * is not a regular file or stdin: a directory, FIFO, socket or device given by
 * name yields EG_EUNSUPPORTED with a message naming the kind of file ("is a
 * FIFO").  A FIFO is never opened blocking (a named path is stat()ed before it
 * is opened, and opened O_NONBLOCK; fstat() then decides).  The first bytes are
 * read here to sniff the magic, so opening standard input may wait for data.
 *  Other errors: EG_ENOTFOUND, EG_EPERM, EG_EIO, EG_ENOMEM.
 *  Ownership: *out is the caller's; close with eg__source_close(). */
int eg__source_open(eg_source **out, const char *path,
                    const eg_source_limits *limits, eg_error *err);

/** Open a source over memory (no copy; `data` must outlive the source).
 *  Compression is sniffed the same way. */
int eg__source_open_memory(eg_source **out, const char *display,
                           const void *data, size_t len,
                           const eg_source_limits *limits, eg_error *err);

/** Read up to `cap` (> 0) bytes into `buf`; *got = 0 means end of input.
 *  Short reads happen (a pipe, the end of a decoder buffer): loop.
 *  Errors: EG_EIO (read failed), EG_ECORRUPT (truncated or corrupt
 *  compressed data; the message gives the compressed and decompressed
 *  offsets), EG_ELIMIT (decompression limit or ratio exceeded; a zstd
 *  frame asking for a window above 128 MiB), EG_ENOMEM.  An error met after
 *  some bytes were produced in a call is deferred: the call returns EG_OK
 *  with those bytes, the next call returns the error (with *got = 0), and
 *  every later call returns it again.  Bytes returned stay valid. */
int eg__source_read(eg_source *src, unsigned char *buf, size_t cap, size_t *got,
                    eg_error *err);

/** Keep the offset map of decoded text (call before the first read):
 *  the caller then trims it with eg__offmap_trim() as it goes. */
void eg__source_keep_map(eg_source *src);
/** The map from offsets of the bytes yielded to offsets of the input's
 *  bytes (decompressed), or NULL while they are the same. */
eg_offmap *eg__source_map(eg_source *src);
/** "gb18030" once the input is being decoded from GB18030, else "utf-8". */
const char *eg__source_charset(const eg_source *src);
/** GB18030 input: lead bytes let through so far (eg__gbdec_stray_leads). */
uint64_t eg__source_stray_leads(const eg_source *src);

/** "none", "gzip" or "zstd". */
const char *eg__source_compression(const eg_source *src);
/** The path the source was opened with. */
const char *eg__source_path(const eg_source *src);
void eg__source_close(eg_source *src);

/** Describe a file type for messages: "a FIFO", "a directory",
 *  "a character device"... (`mode` is a struct stat st_mode). */
const char *eg__source_file_kind(unsigned mode);

/** Fill `err` for a failed system call on `path` and return the code:
 *  ENOENT/ENOTDIR -> EG_ENOTFOUND "path: no such file or directory",
 *  EACCES/EPERM -> EG_EPERM "path: permission denied", ELOOP ->
 *  EG_EUNSUPPORTED "path: symlink loop ...", else EG_EIO naming `doing`. */
int eg__source_fail_errno(eg_error *err, const char *path, int errnum,
                          const char *doing);

/** 1 if `head` (the first bytes of an input, decompressed) looks binary:
 *  a NUL byte; a UTF-16 BOM (binary for now); or more than 30% of control
 *  bytes other than TAB, LF, VT, FF, CR and ESC.  Invalid UTF-8 alone is
 *  not binary: GBK text and damaged UTF-8 logs must still be scanned.
 *  Callers pass the first 8 KiB or so. */
int eg__sniff_binary(const unsigned char *head, size_t n);

/** Detect the format from the file name's extension (after stripping .gz /
 *  .zst) and the first bytes: .csv/.tsv/.json/.jsonl/.ndjson, else by
 *  content ('{' or '[' first non-blank: JSON Lines if the first line is a
 *  complete object, else JSON; consistent commas/tabs across the first
 *  lines: CSV/TSV), else text.  A UTF-8 BOM is skipped for the sniff. */
eg_format eg__sniff_format(const char *path, const unsigned char *head,
                           size_t n);
/* Details of the sniff (sniff.c): extensions are matched case-insensitively
 * (.csv; .tsv/.tab; .json; .jsonl/.ndjson; .log/.txt/.md/.ini -> text).
 * By content, JSON must validate as far as `head` goes (so "[INFO] ..." or
 * "[2024-01-01 ...]" log lines stay text); CSV/TSV need at least two
 * complete records that all have the same number of delimiters outside
 * quotes (>= 2 commas for CSV, >= 1 tab for TSV) and a header-like first
 * row (fields non-empty, <= 64 bytes, no 5-digit run, no '@', no leading
 * space), so prose with commas stays text. */

/* ---- walking the command line ---- */

/** Called for each input found, in a deterministic order: arguments as
 *  given, directory entries sorted by name (bytewise).  Return non-zero to
 *  stop the walk (eg__walk then returns EG_ESTOPPED). */
typedef int (*eg_walk_input_cb)(const char *path, void *payload);
/** Called for each thing skipped, with a reason ("symlink loop", "is a
 *  FIFO", "permission denied"...).  `code` is an EG_E* code. */
typedef void (*eg_walk_skip_cb)(const char *path, int code, const char *reason,
                                void *payload);

/** Expand `paths`: "-" and regular files are passed as they are; directories
 *  are walked recursively without following symlinks to directories (a
 *  symlink to a regular file is followed; loops are impossible since
 *  directory links are not followed, and (dev, inode) of directories
 *  visited are remembered anyway for bind mounts).  Paths passed on are
 *  built as "dir/name" from the argument as given (no realpath).
 *  A named argument is followed if it is a symlink.  Special files named
 *  explicitly (a FIFO, /dev/zero) are passed to `on_input`:
 *  eg__source_open then refuses them, without blocking, with a message
 *  naming their kind.  Reported through `on_skip` and not passed on:
 *  - a named path that does not exist: EG_ENOTFOUND, "no such file or
 *    directory";
 *  - special files met while walking: EG_EUNSUPPORTED, "is a FIFO"...;
 *  - symlinks met while walking that lead to a directory (EG_EUNSUPPORTED,
 *    "symlink to a directory (not followed)"), nowhere (EG_ENOTFOUND,
 *    "broken symlink") or round in a loop (EG_EUNSUPPORTED, "symlink
 *    loop");
 *  - unreadable files and directories: EG_EPERM, "permission denied";
 *  - a directory already visited (bind mount, same argument twice):
 *    EG_EUNSUPPORTED, "directory already visited";
 *  - nesting deeper than 256 directories: EG_ELIMIT, "directory nesting
 *    too deep";
 *  - other errors: EG_EIO with the system's text.
 *  @return EG_OK, EG_ESTOPPED, or EG_ENOMEM. */
int eg__walk(const char *const *paths, size_t npaths, eg_walk_input_cb on_input,
             eg_walk_skip_cb on_skip, void *payload, eg_error *err);

#endif
