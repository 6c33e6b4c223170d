/* rdrop serve: the explorer's server, in pieces that work without a socket.
 *
 *   catalog.c  the run and study folders found under the folders named on
 *              the command line, each with a stable id; every file read is
 *              resolved and checked to lie inside those folders;
 *   models.c   a run's checkpoint, loaded once and reloaded when the file
 *              changes, shared by concurrent requests (reference counts);
 *   predict.c  one drawing through a model: the full network and K dropout
 *              sub-networks from a seeded stream, their mean and disagreement;
 *   api.c      the request handler: (method, path, body) -> (status, JSON or
 *              a page file), everything the HTTP layer and the fuzzer call;
 *   http.c     libmicrohttpd around the handler (body limit, connection
 *              limit, timeouts, a small thread pool);
 *   web_files.S   the page's files (web/), compiled into the binary.
 *
 * The client never names a file: runs are addressed by the ids of the
 * catalog, which is built from the command line's folders alone. */
#ifndef RDROP_SERVE_SERVE_H
#define RDROP_SERVE_SERVE_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "rdrop/error.h"
#include "rdrop/json.h"

/* Limits of one request. */
#define RD_SERVE_MAX_BODY (2u << 20)      /* bytes of a request body: more is 413 */
#define RD_SERVE_MAX_PIXELS (4u << 20)    /* pixels of a drawing, read from its header */
#define RD_SERVE_MAX_K 64                 /* sub-networks per model */
#define RD_SERVE_MAX_MODELS 4             /* models per predict request */
#define RD_SERVE_MAX_RUNS 4096            /* entries in the catalog */

typedef struct rd_server rd_server;

/* folders: the command line's (run folders, folders of runs, study folders).
 * Each must exist and be a folder. */
rd_status rd_server_new(char *const *folders, int n, rd_server **out, rd_error *err);
void rd_server_free(rd_server *s);
/* Runs and studies found so far (after the scan rd_server_new made). */
int rd_server_count(rd_server *s, int *runs, int *studies);

/* A reply: status, content type and body. A JSON body is in `json`; a page
 * file's body points at the compiled-in bytes. */
typedef struct {
    int status;
    const char *type;
    const char *body;
    size_t len;
    const char *allow; /* for 405: the methods the path takes */
    int cache;         /* 1: a page file (may be cached) */
    rd_json_writer json;
} rd_reply;

void rd_reply_init(rd_reply *r);
void rd_reply_free(rd_reply *r);

/* Handles one request: method ("GET", "POST", ...), the URL's path (already
 * percent-decoded, without the query) and the body. Never fails: every error
 * is a reply with status >= 400 and a JSON body {"error": "..."}. Thread-safe. */
void rd_server_handle(rd_server *s, const char *method, const char *path, const char *body, size_t len,
                      rd_reply *r);

typedef struct {
    const char *host;    /* an address of this machine: 127.0.0.1, ::1, 0.0.0.0 */
    int port;            /* 0: any free port */
    int threads;         /* request threads */
    int timeout;         /* seconds a connection may stay idle */
    int max_connections; /* open at once; more are refused */
} rd_serve_options;

/* Serves s until *stop is set (checked every 100 ms), then closes every
 * connection. Calls ready(arg, port) once listening (port: the one bound).
 * Prints nothing. */
rd_status rd_serve_http(rd_server *s, const rd_serve_options *o, volatile sig_atomic_t *stop,
                        void (*ready)(void *arg, int port), void *arg, rd_error *err);

/* ---- internal, between the files of src/serve/ ---- */
#include <pthread.h>
#include <sys/types.h>

#include "rdrop/checkpoint.h"
#include "rdrop/nn.h"
#include "rdrop/tensor.h"

enum { RD_ENTRY_RUN, RD_ENTRY_STUDY };

/* A checkpoint in memory, shared by the requests using it. */
typedef struct {
    rd_mlp m;
    rd_ckpt_state s;
    int refs;                  /* the catalog's own + one per request using it */
    dev_t dev;                 /* the file it was read from, to see a change */
    ino_t ino;
    off_t size;
    long long mtime_ns;
} rd_loaded;

typedef struct {
    int kind;
    char name[512];   /* shown: the command line's folder and the path below it */
    char dir[4096];   /* resolved (realpath) when found */
    int root;         /* the command line folder it was found under */
    int gone;         /* not found by the last scan (read it with rd_catalog_gone) */
    rd_loaded *model; /* last.ckpt, once a request needed it (guarded by lock) */
} rd_entry;

struct rd_server {
    int n_roots;
    char **roots;      /* resolved command-line folders */
    char **root_names; /* as given */
    pthread_mutex_t lock; /* entries, models, workspaces */
    rd_entry **entries;
    int n_entries, cap_entries;
    double scanned_at; /* rd_now() of the last scan */
    void *workspaces;  /* free list (predict.c) */
};

/* catalog.c: (re)scans the roots; entries are only ever added, so ids stay. */
void rd_catalog_scan(rd_server *s);
/* The entry with this id and kind, or NULL. Entries never move or die
 * before the server does, so the pointer stays valid. */
rd_entry *rd_catalog_get(rd_server *s, long long id, int kind);
/* e->gone, read under the lock (a scan may be writing it). */
int rd_catalog_gone(rd_server *s, const rd_entry *e);
/* dir/name of entry e resolved into out (PATH_MAX bytes): 0 only when it
 * exists and lies inside e's command-line folder, after every symlink; else
 * the HTTP status, 404 (not there) or 403 (it leads outside), and err says
 * why. */
int rd_catalog_file(rd_server *s, const rd_entry *e, const char *name, char *out, rd_error *err);

/* models.c: e's checkpoint (last.ckpt), loaded or reloaded when the file
 * changed; release it with rd_model_release. 0, or the HTTP status of the
 * failure (404, 403, or 500 for a file that is not a checkpoint). */
int rd_model_acquire(rd_server *s, rd_entry *e, rd_loaded **out, rd_error *err);
void rd_model_release(rd_server *s, rd_loaded *l);
void rd_model_drop(rd_loaded *l); /* the catalog's reference, at the end */

/* predict.c: the body of POST /api/predict into r (status and JSON). */
void rd_predict_request(rd_server *s, const char *body, size_t len, rd_reply *r);
void rd_workspaces_free(rd_server *s);

/* api.c: an error reply {"error": message}. */
void rd_reply_error(rd_reply *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The compiled-in page files. */
typedef struct {
    const char *path; /* "/", "/app.js" */
    const char *type;
    const unsigned char *data;
    size_t len;
} rd_asset;
/* 1 and *out filled when path names one (index.html is also "/"). */
int rd_asset_find(const char *path, rd_asset *out);

#endif
