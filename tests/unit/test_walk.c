/*
 * test_walk.c: the walker over a real tree made in a temp directory: the
 * exact sequence of inputs and skips (bytewise order, hidden files, links
 * to files followed, links to directories and loops not, broken links,
 * FIFOs), command-line arguments (stdin, missing, special files passed on,
 * trailing slash, a directory named twice), stopping from the callback,
 * the depth cap, unreadable entries (as an unprivileged child when root),
 * and allocation failure.
 */
#include "read/source.h"
#include "eg_test.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/eg_test_walk.XXXXXX";

typedef struct walk_log {
    char text[16384];
    size_t len;
    int inputs;
    int stop_after; /* stop at this many inputs; 0 = never */
} walk_log;

static void log_line(walk_log *l, const char *fmt, const char *a, int code,
                     const char *b)
{
    int n = snprintf(l->text + l->len, sizeof l->text - l->len, fmt, a,
                     code ? eg_error_name(code) : "", b ? b : "");
    if (n > 0 && (size_t)n < sizeof l->text - l->len)
        l->len += (size_t)n;
}

static int on_input(const char *path, void *payload)
{
    walk_log *l = payload;
    log_line(l, "IN %s%s%s\n", path, 0, NULL);
    l->inputs++;
    return l->stop_after && l->inputs >= l->stop_after;
}

static void on_skip(const char *path, int code, const char *reason,
                    void *payload)
{
    log_line(payload, "SKIP %s %s %s\n", path, code, reason);
}

static void touch(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    EG_CHECK(fd >= 0);
    if (fd >= 0) {
        EG_CHECK(write(fd, "x\n", 2) == 2);
        close(fd);
    }
}

static int walk(walk_log *l, const char *const *paths, size_t n)
{
    eg_error err;
    l->len = 0;
    l->text[0] = '\0';
    l->inputs = 0;
    return eg__walk(paths, n, on_input, on_skip, l, &err);
}

/* The tree, relative to tmpdir (the tests chdir there). */
static void make_tree(void)
{
    EG_CHECK_INT(mkdir("d", 0755), 0);
    touch("d/b.txt");
    touch("d/a.txt");
    touch("d/C.txt");
    touch("d/.hidden");
    touch("d/z.gz");
    EG_CHECK_INT(mkdir("d/sub", 0755), 0);
    touch("d/sub/x.txt");
    EG_CHECK_INT(mkdir("d/sub2", 0755), 0);
    EG_CHECK_INT(mkdir("d/loop", 0755), 0);
    EG_CHECK_INT(symlink("..", "d/loop/b"), 0);
    EG_CHECK_INT(symlink("sub", "d/link_dir"), 0);
    EG_CHECK_INT(symlink("a.txt", "d/link_file"), 0);
    EG_CHECK_INT(symlink("nowhere", "d/broken"), 0);
    EG_CHECK_INT(symlink("selfloop", "d/selfloop"), 0);
    EG_CHECK_INT(mkfifo("d/fifo", 0600), 0);
}

EG_TEST(walk_order_and_links)
{
    walk_log l = {0};
    const char *args[] = {"d"};
    EG_CHECK_INT(walk(&l, args, 1), EG_OK);
    EG_CHECK_STR(l.text,
                 "IN d/.hidden\n"
                 "IN d/C.txt\n"
                 "IN d/a.txt\n"
                 "IN d/b.txt\n"
                 "SKIP d/broken EG_ENOTFOUND broken symlink\n"
                 "SKIP d/fifo EG_EUNSUPPORTED is a FIFO\n"
                 "SKIP d/link_dir EG_EUNSUPPORTED symlink to a directory "
                 "(not followed)\n"
                 "IN d/link_file\n"
                 "SKIP d/loop/b EG_EUNSUPPORTED symlink to a directory (not "
                 "followed)\n"
                 "SKIP d/selfloop EG_EUNSUPPORTED symlink loop\n"
                 "IN d/sub/x.txt\n"
                 "IN d/z.gz\n");
    /* Deterministic: the same again. */
    char first[sizeof l.text];
    memcpy(first, l.text, sizeof first);
    EG_CHECK_INT(walk(&l, args, 1), EG_OK);
    EG_CHECK_STR(l.text, first);
}

EG_TEST(walk_arguments)
{
    walk_log l = {0};
    const char *args[] = {"d/a.txt", "-",         "missing",
                          "d/fifo",  "/dev/null", "d/link_dir",
                          "d/sub/",  "d/sub",     "d/broken"};
    EG_CHECK_INT(walk(&l, args, EG_ARRAY_LEN(args)), EG_OK);
    EG_CHECK_STR(l.text,
                 "IN d/a.txt\n"
                 "IN -\n"
                 "SKIP missing EG_ENOTFOUND no such file or directory\n"
                 "IN d/fifo\n"
                 "IN /dev/null\n"
                 "IN d/link_dir/x.txt\n"
                 "SKIP d/sub/ EG_EUNSUPPORTED directory already visited\n"
                 "SKIP d/sub EG_EUNSUPPORTED directory already visited\n"
                 "SKIP d/broken EG_ENOTFOUND broken symlink\n");
    /* A trailing slash does not double: "d/sub/x.txt". */
    const char *slash[] = {"d/sub/"};
    EG_CHECK_INT(walk(&l, slash, 1), EG_OK);
    EG_CHECK_STR(l.text, "IN d/sub/x.txt\n");
    /* Nothing to walk. */
    EG_CHECK_INT(walk(&l, NULL, 0), EG_OK);
    EG_CHECK_STR(l.text, "");
    eg_error err;
    EG_CHECK_INT(eg__walk(args, 1, NULL, NULL, NULL, &err), EG_EINVAL);
}

EG_TEST(walk_stop)
{
    walk_log l = {0};
    l.stop_after = 2;
    const char *args[] = {"d", "d/a.txt"};
    eg_error err;
    l.len = 0;
    EG_CHECK_INT(eg__walk(args, 2, on_input, on_skip, &l, &err), EG_ESTOPPED);
    EG_CHECK_INT(err.code, EG_ESTOPPED);
    EG_CHECK_STR(l.text, "IN d/.hidden\nIN d/C.txt\n");
}

EG_TEST(walk_depth_cap)
{
    /* deep/n/n/.../n: 258 levels under "deep"; a file at levels 256 and
     * 257.  Level 257 is past the cap of 256. */
    char path[4096] = "deep";
    EG_CHECK_INT(mkdir(path, 0755), 0);
    char at256[4096] = "", at257[4096] = "";
    for (int level = 1; level <= 258; level++) {
        strcat(path, "/n");
        EG_CHECK_INT(mkdir(path, 0755), 0);
        if (level == 256)
            strcpy(at256, path);
        if (level == 257)
            strcpy(at257, path);
    }
    char f256[4200], f257[4200];
    snprintf(f256, sizeof f256, "%s/f", at256);
    snprintf(f257, sizeof f257, "%s/f", at257);
    touch(f256);
    touch(f257);
    walk_log l = {0};
    const char *args[] = {"deep"};
    EG_CHECK_INT(walk(&l, args, 1), EG_OK);
    char want[16384];
    snprintf(want, sizeof want,
             "IN %s\nSKIP %s EG_ELIMIT directory nesting too deep\n", f256,
             at257);
    EG_CHECK_STR(l.text, want);
}

/* Run `fn` as an unprivileged user when we are root (chmod 000 does not
 * stop root); returns the child's exit status. */
static int run_unprivileged(int (*fn)(void))
{
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        _exit(fn());
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

static int walk_locked_child(void)
{
    walk_log l = {0};
    const char *args[] = {"locked"};
    int rc = walk(&l, args, 1);
    const char *want = "SKIP locked/file.txt EG_EPERM permission denied\n"
                       "IN locked/open.txt\n"
                       "SKIP locked/secret EG_EPERM permission denied\n";
    if (rc != EG_OK || strcmp(l.text, want) != 0) {
        fprintf(stderr, "walk as nobody gave:\n%s", l.text);
        return 1;
    }
    return 0;
}

EG_TEST(walk_unreadable)
{
    EG_CHECK_INT(mkdir("locked", 0755), 0);
    touch("locked/file.txt");
    touch("locked/open.txt");
    EG_CHECK_INT(mkdir("locked/secret", 0755), 0);
    touch("locked/secret/inside.txt");
    EG_CHECK_INT(chmod("locked/file.txt", 0), 0);
    EG_CHECK_INT(chmod("locked/secret", 0), 0);
    EG_CHECK_INT(chmod(tmpdir, 0755), 0);
    EG_CHECK_INT(run_unprivileged(walk_locked_child), 0);
    EG_CHECK_INT(chmod("locked/secret", 0755), 0);
    EG_CHECK_INT(chmod(tmpdir, 0700), 0);
}

/* Allocation N fails, for every N: EG_ENOMEM, nothing leaks (ASan), and
 * with enough memory the full walk. */
EG_TEST(walk_allocation_failures)
{
    const char *args[] = {"d"};
    int finished = 0;
    for (uint64_t n = 1; n < 500 && !finished; n++) {
        walk_log l = {0};
        eg__alloc_fail_at(n, false);
        int rc = walk(&l, args, 1);
        eg__alloc_fail_at(0, false);
        if (rc == EG_OK) {
            finished = 1;
            EG_CHECK(strstr(l.text, "IN d/z.gz\n") != NULL);
        } else {
            EG_CHECK_INT(rc, EG_ENOMEM);
        }
    }
    EG_CHECK(finished);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int main(void)
{
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd) || !mkdtemp(tmpdir) || chdir(tmpdir) != 0) {
        perror("setup");
        return 1;
    }
    make_tree();
    EG_RUN(walk_order_and_links);
    EG_RUN(walk_arguments);
    EG_RUN(walk_stop);
    EG_RUN(walk_depth_cap);
    EG_RUN(walk_unreadable);
    EG_RUN(walk_allocation_failures);
    if (chdir(cwd) != 0)
        perror("chdir");
    nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return EG_TEST_END();
}
