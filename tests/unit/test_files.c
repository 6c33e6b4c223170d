/* rdrop/files.h: what rdrop does with paths that are not ordinary files.
 * Reading: a FIFO, a device, a folder is refused without blocking (each
 * test has a timeout, so a regression fails instead of hanging) at every
 * reader: configs, model files, checkpoints, IDX files, images. Writing
 * whole files: a symlink survives and its target is replaced, a device /
 * FIFO / folder is refused and left alone, a failed write keeps the old
 * file and leaves no temporary file. Appends are checked. Folder locks
 * exclude a second process. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "data/idx.h"
#include "rdrop/checkpoint.h"
#include "rdrop/config.h"
#include "rdrop/data.h"
#include "rdrop/files.h"
#include "rdrop/image.h"
#include "tmpdir.h"

static char dir[64];
static void setup(void) { cr_assert(tmpdir_make(dir), "mkdtemp failed"); }
static void teardown(void) { tmpdir_remove(dir); }
TestSuite(files, .init = setup, .fini = teardown, .timeout = 20);

static void in_dir(char *out, size_t n, const char *name) { snprintf(out, n, "%s/%s", dir, name); }

static void put_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

static char *get_file(const char *path) {
    static char buf[4096];
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static void make_fifo(char *out, size_t n, const char *name) {
    in_dir(out, n, name);
    cr_assert_eq(mkfifo(out, 0644), 0, "mkfifo %s: %s", out, strerror(errno));
}

/* The names in dir, sorted, space-separated (no temporary files left?). */
static const char *listing(void) {
    static char out[1024];
    char cmd[128];
    snprintf(cmd, sizeof cmd, "ls -A %s | tr '\\n' ' '", dir);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = 0;
    pclose(p);
    return out;
}

#define EXPECT_MSG(err, ...)                                                                  \
    do {                                                                                      \
        char want_[600];                                                                      \
        snprintf(want_, sizeof want_, __VA_ARGS__);                                           \
        cr_assert(strstr((err).msg, want_), "expected \"%s\" in: %s", want_, (err).msg);      \
    } while (0)

/* ---- reading ------------------------------------------------------------ */

Test(files, open_regular_refuses_fifo_folder_and_device_without_blocking) {
    char fifo[128];
    make_fifo(fifo, sizeof fifo, "f");
    const char *paths[] = {fifo, dir, "/dev/null", "/dev/zero"};
    for (int i = 0; i < 4; i++) {
        rd_error err = {0};
        int fd = 7;
        errno = EINVAL;
        cr_assert_eq(rd_open_regular(paths[i], &fd, &err), RD_ERR_RUNTIME, "%s opened", paths[i]);
        cr_assert_eq(fd, -1);
        cr_assert_eq(errno, 0, "%s: errno %d, want 0 for 'not regular'", paths[i], errno);
        EXPECT_MSG(err, "%s: not a regular file", paths[i]);
    }
}

Test(files, open_regular_follows_a_symlink_and_words_a_missing_file) {
    char file[128], link[128], missing[128];
    in_dir(file, sizeof file, "a.txt");
    in_dir(link, sizeof link, "link");
    in_dir(missing, sizeof missing, "missing");
    put_file(file, "hello");
    cr_assert_eq(symlink(file, link), 0);
    FILE *f;
    rd_error err = {0};
    cr_assert_eq(rd_fopen_regular(link, &f, &err), RD_OK, "%s", err.msg);
    char buf[16] = {0};
    cr_assert_eq(fread(buf, 1, sizeof buf - 1, f), 5);
    cr_assert_str_eq(buf, "hello");
    fclose(f);
    cr_assert_eq(rd_fopen_regular(missing, &f, &err), RD_ERR_RUNTIME);
    cr_assert_eq(errno, ENOENT);
    cr_assert_null(f);
    EXPECT_MSG(err, "%s: cannot open: No such file or directory", missing);
}

/* Every reader of rdrop, handed a FIFO: an error naming it, no hang. */
Test(files, every_reader_refuses_a_fifo) {
    char fifo[128], ini[128], other[200];
    make_fifo(fifo, sizeof fifo, "fifo");
    rd_error err = {0};
    static rd_config cfg;
    cr_assert_eq(rd_config_load(fifo, &cfg, &err), RD_ERR_RUNTIME);
    EXPECT_MSG(err, "%s: not a regular file", fifo);

    in_dir(ini, sizeof ini, "x.ini");
    put_file(ini, "[model]\nfile = fifo\n"); /* next to the experiment */
    cr_assert_eq(rd_config_load(ini, &cfg, &err), RD_ERR_RUNTIME);
    EXPECT_MSG(err, "model.file: %s: not a regular file", fifo);
    rd_config_defaults(&cfg);
    snprintf(other, sizeof other, "model.file=%s", fifo);
    cr_assert_eq(rd_config_set(&cfg, other, &err), RD_ERR_RUNTIME);
    EXPECT_MSG(err, "%s: not a regular file", fifo);

    rd_mlp m;
    rd_ckpt_state s;
    cr_assert_eq(rd_checkpoint_load(fifo, &m, NULL, &s, &err), RD_ERR_RUNTIME);
    EXPECT_MSG(err, "%s: not a regular file", fifo);

    uint32_t dims[3];
    uint8_t *data;
    cr_assert_eq(rd_idx_read(fifo, 3, "image", dims, &data, &err), RD_ERR_RUNTIME);
    EXPECT_MSG(err, "%s: not a regular file", fifo);

    float px[784];
    cr_assert_eq(rd_image_load_mnist(fifo, px, &err), RD_ERR_RUNTIME);
    EXPECT_MSG(err, "%s: not a regular file", fifo);
}

/* ---- replacing whole files --------------------------------------------- */

Test(files, replace_creates_then_replaces_keeping_permissions) {
    char path[128];
    in_dir(path, sizeof path, "out.txt");
    rd_error err = {0};
    cr_assert_eq(rd_replace_file(path, "one", 3, &err), RD_OK, "%s", err.msg);
    cr_assert_str_eq(get_file(path), "one");
    cr_assert_eq(chmod(path, 0600), 0);
    cr_assert_eq(rd_replace_file(path, "two", 3, &err), RD_OK, "%s", err.msg);
    cr_assert_str_eq(get_file(path), "two");
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
    cr_assert_str_eq(listing(), "out.txt ");
}

Test(files, replace_through_a_symlink_keeps_the_link) {
    char target[128], link[128], chain[128];
    in_dir(target, sizeof target, "target.png");
    in_dir(link, sizeof link, "link.png");
    in_dir(chain, sizeof chain, "chain.png");
    put_file(target, "old");
    cr_assert_eq(symlink("target.png", link), 0); /* relative, as ln -s makes them */
    cr_assert_eq(symlink(link, chain), 0);
    rd_error err = {0};
    cr_assert_eq(rd_replace_file(chain, "new", 3, &err), RD_OK, "%s", err.msg);
    struct stat st;
    cr_assert_eq(lstat(link, &st), 0);
    cr_assert(S_ISLNK(st.st_mode), "the symlink was replaced");
    cr_assert_eq(lstat(chain, &st), 0);
    cr_assert(S_ISLNK(st.st_mode), "the symlink to the symlink was replaced");
    cr_assert_str_eq(get_file(target), "new");
    cr_assert_str_eq(listing(), "chain.png link.png target.png ");
}

Test(files, replace_through_a_dangling_symlink_creates_its_target) {
    char link[128], target[128];
    in_dir(link, sizeof link, "link");
    in_dir(target, sizeof target, "later.txt");
    cr_assert_eq(symlink("later.txt", link), 0);
    rd_error err = {0};
    cr_assert_eq(rd_replace_file(link, "made", 4, &err), RD_OK, "%s", err.msg);
    struct stat st;
    cr_assert_eq(lstat(link, &st), 0);
    cr_assert(S_ISLNK(st.st_mode));
    cr_assert_str_eq(get_file(target), "made");
}

/* A FIFO, a folder, a device (/dev/null: as root, rename() would replace the
 * device node), and a symlink to a device: refused, and still what they were. */
Test(files, replace_refuses_what_is_not_a_regular_file) {
    char fifo[128], folder[128], link[128];
    make_fifo(fifo, sizeof fifo, "fifo");
    in_dir(folder, sizeof folder, "folder.png");
    cr_assert_eq(mkdir(folder, 0755), 0);
    in_dir(link, sizeof link, "null.png");
    cr_assert_eq(symlink("/dev/null", link), 0);
    const char *paths[] = {fifo, folder, "/dev/null", link};
    for (int i = 0; i < 4; i++) {
        rd_error err = {0};
        cr_assert_eq(rd_replace_check(paths[i], &err), RD_ERR_RUNTIME, "%s accepted", paths[i]);
        cr_assert_eq(rd_replace_file(paths[i], "x", 1, &err), RD_ERR_RUNTIME, "%s replaced", paths[i]);
        EXPECT_MSG(err, "%s: not a regular file; not replaced", paths[i]);
    }
    struct stat st;
    cr_assert(stat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
    cr_assert(stat(folder, &st) == 0 && S_ISDIR(st.st_mode));
    cr_assert(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode), "/dev/null is no longer a device");
    cr_assert(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
    cr_assert_str_eq(listing(), "fifo folder.png null.png ");
}

/* A symlink planted where the temporary file would go is not followed. */
Test(files, replace_does_not_write_through_a_planted_temporary_name) {
    char path[128], planted[160], victim[128];
    in_dir(path, sizeof path, "a.txt");
    in_dir(victim, sizeof victim, "victim");
    snprintf(planted, sizeof planted, "%s.tmp.%ld", path, (long)getpid());
    put_file(victim, "keep me");
    cr_assert_eq(symlink(victim, planted), 0);
    rd_error err = {0};
    cr_assert_eq(rd_replace_file(path, "new", 3, &err), RD_OK, "%s", err.msg);
    cr_assert_str_eq(get_file(path), "new");
    cr_assert_str_eq(get_file(victim), "keep me");
}

/* Writes beyond 100 bytes fail (EFBIG), as on a full disk. */
static void limit_file_size(void) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit r = {100, 100};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &r), 0, "%s", strerror(errno));
}

Test(files, failed_replace_keeps_the_old_file_and_no_temporary_one) {
    char path[128], big[300];
    in_dir(path, sizeof path, "report.md");
    put_file(path, "old report");
    memset(big, 'x', sizeof big);
    limit_file_size();
    rd_error err = {0};
    rd_text t;
    rd_text_open(&t);
    fwrite(big, 1, sizeof big, t.f);
    cr_assert_eq(rd_text_replace(&t, path, &err), RD_ERR_RUNTIME);
    EXPECT_MSG(err, "%s: write failed: File too large; the old file is kept", path);
    cr_assert_str_eq(get_file(path), "old report");
    cr_assert_str_eq(listing(), "report.md ");
}

/* ---- appending ----------------------------------------------------------- */

Test(files, append_refuses_a_fifo_and_cuts_a_failed_write_back) {
    char fifo[128], path[128], big[300];
    make_fifo(fifo, sizeof fifo, "fifo");
    rd_error err = {0};
    cr_assert_eq(rd_append_file(fifo, "x\n", 2, &err), RD_ERR_RUNTIME);
    EXPECT_MSG(err, "%s: not a regular file", fifo);
    in_dir(path, sizeof path, "metrics.csv");
    cr_assert_eq(rd_append_file(path, "head\n", 5, &err), RD_OK, "%s", err.msg);
    cr_assert_eq(rd_append_file(path, "1,2\n", 4, &err), RD_OK, "%s", err.msg);
    cr_assert_str_eq(get_file(path), "head\n1,2\n");
    limit_file_size();
    memset(big, '7', sizeof big);
    cr_assert_eq(rd_append_file(path, big, sizeof big, &err), RD_ERR_RUNTIME);
    EXPECT_MSG(err, "%s: write failed: File too large", path);
    cr_assert_str_eq(get_file(path), "head\n1,2\n", "a partial row was left");
}

/* ---- locking a folder ------------------------------------------------------- */

/* Runs rd_lock_dir(dir) in a child process; returns its exit status
 * (0 = it got the lock) and its message in msg. */
static int lock_in_child(char *msg, size_t n) {
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        rd_error err = {0};
        int fd;
        rd_status st = rd_lock_dir(dir, &fd, &err);
        ssize_t w = write(p[1], err.msg, strlen(err.msg));
        _exit(w < 0 ? 99 : (int)st);
    }
    close(p[1]);
    ssize_t r = read(p[0], msg, n - 1);
    msg[r > 0 ? r : 0] = 0;
    close(p[0]);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status));
    return WEXITSTATUS(status);
}

Test(files, a_locked_folder_is_refused_to_another_process_until_unlocked) {
    rd_error err = {0};
    int fd;
    cr_assert_eq(rd_lock_dir(dir, &fd, &err), RD_OK, "%s", err.msg);
    char msg[1024];
    cr_assert_eq(lock_in_child(msg, sizeof msg), RD_ERR_RUNTIME, "the second process got the lock");
    char want[200];
    snprintf(want, sizeof want, "%s is in use by another rdrop (pid %ld)", dir, (long)getpid());
    cr_assert_str_eq(msg, want);
    rd_unlock_dir(fd);
    cr_assert_eq(lock_in_child(msg, sizeof msg), RD_OK, "not free after unlock: %s", msg);
}

Test(files, a_lock_file_that_is_not_a_regular_file_is_refused) {
    char lock[128];
    make_fifo(lock, sizeof lock, ".lock");
    rd_error err = {0};
    int fd;
    cr_assert_eq(rd_lock_dir(dir, &fd, &err), RD_ERR_RUNTIME);
    EXPECT_MSG(err, "%s: not a regular file", lock);
    char missing[128];
    in_dir(missing, sizeof missing, "no/such");
    cr_assert_eq(rd_lock_dir(missing, &fd, &err), RD_ERR_RUNTIME);
    EXPECT_MSG(err, "%s: cannot create the lock file %s/.lock: No such file or directory", missing, missing);
}
