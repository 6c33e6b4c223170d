/* HTTP for rdrop serve: GNU libmicrohttpd runs the sockets, the parsing and
 * the threads; this file hands each complete request to rd_server_handle.
 * What a hostile client can do is bounded here: a body over
 * RD_SERVE_MAX_BODY is refused with 413 (at once from its Content-Length;
 * a chunked one is dropped as it comes once past the limit, and refused at
 * its end: libmicrohttpd 0.9 takes a reply only before or after the body),
 * the number of connections is capped, and a connection that sends nothing
 * for `timeout` seconds is closed. */
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "serve/serve.h"

typedef struct {
    char *body;
    size_t len, cap;
    int too_large;
} upload;

static enum MHD_Result send_reply(struct MHD_Connection *c, const rd_reply *r) {
    const char *body = r->body ? r->body : r->json.text;
    size_t len = r->body ? r->len : r->json.len;
    /* page files are static: no copy; JSON belongs to the reply: copied */
    struct MHD_Response *res = MHD_create_response_from_buffer(
        len, (void *)body, r->body ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_COPY);
    if (!res) return MHD_NO;
    MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE, r->type);
    MHD_add_response_header(res, MHD_HTTP_HEADER_CACHE_CONTROL, r->cache ? "no-cache" : "no-store");
    MHD_add_response_header(res, "X-Content-Type-Options", "nosniff");
    /* the page loads nothing from elsewhere, and nothing may frame it */
    MHD_add_response_header(res, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'");
    if (r->allow) MHD_add_response_header(res, MHD_HTTP_HEADER_ALLOW, r->allow);
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)r->status, res);
    MHD_destroy_response(res);
    return ok;
}

static enum MHD_Result too_large(struct MHD_Connection *c) {
    rd_reply r;
    rd_reply_init(&r);
    rd_reply_error(&r, 413, "request body larger than %u MiB", RD_SERVE_MAX_BODY >> 20);
    enum MHD_Result ok = send_reply(c, &r);
    rd_reply_free(&r);
    return ok;
}

/* Called with the headers (*state NULL), then with each piece of the body,
 * then once more with none: the request is complete. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *data, size_t *size, void **state) {
    (void)version;
    rd_server *s = cls;
    upload *u = *state;
    if (!u) {
        u = rd_calloc(1, sizeof *u);
        *state = u;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > RD_SERVE_MAX_BODY) { /* refused before any of it is read */
            u->too_large = 1;
            return too_large(c);
        }
        return MHD_YES;
    }
    if (*size) {
        if (!u->too_large && u->len + *size > RD_SERVE_MAX_BODY) { /* chunked: no length told */
            u->too_large = 2; /* the rest is read and dropped: MHD replies only once it is in */
            free(u->body);
            u->body = NULL;
        }
        if (!u->too_large) {
            if (u->len + *size + 1 > u->cap) {
                u->cap = u->len + *size + 1 < 2 * u->cap ? 2 * u->cap : u->len + *size + 1;
                u->body = rd_realloc(u->body, u->cap, 1);
            }
            memcpy(u->body + u->len, data, *size);
            u->len += *size;
        }
        *size = 0;
        return MHD_YES;
    }
    if (u->too_large == 1) return MHD_YES; /* answered already, from Content-Length */
    if (u->too_large) return too_large(c);
    rd_reply r;
    rd_reply_init(&r);
    rd_server_handle(s, method, url, u->body ? u->body : "", u->len, &r);
    enum MHD_Result ok = send_reply(c, &r);
    rd_reply_free(&r);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode why) {
    (void)cls, (void)c, (void)why;
    upload *u = *state;
    if (u) {
        free(u->body);
        free(u);
        *state = NULL;
    }
}

rd_status rd_serve_http(rd_server *s, const rd_serve_options *o, volatile sig_atomic_t *stop,
                        void (*ready)(void *arg, int port), void *arg, rd_error *err) {
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int gai = getaddrinfo(o->host, NULL, &hints, &ai);
    if (gai != 0 || !ai)
        return rd_fail(err, RD_ERR_USAGE, "--host %s: %s", o->host, gai ? gai_strerror(gai) : "no address");
    struct sockaddr_storage addr;
    memset(&addr, 0, sizeof addr);
    memcpy(&addr, ai->ai_addr, ai->ai_addrlen);
    int v6 = ai->ai_family == AF_INET6;
    freeaddrinfo(ai);
    if (v6) ((struct sockaddr_in6 *)&addr)->sin6_port = htons((uint16_t)o->port);
    else ((struct sockaddr_in *)&addr)->sin_port = htons((uint16_t)o->port);

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | (v6 ? MHD_USE_IPv6 : 0);
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)o->port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)o->threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)o->max_connections, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->timeout,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
    if (!d)
        return rd_fail(err, RD_ERR_RUNTIME, "cannot listen on %s port %d (in use, or not an address of this machine)",
                       o->host, o->port);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (ready) ready(arg, info ? info->port : o->port);
    struct timespec tick = {0, 100 * 1000 * 1000};
    while (!*stop) nanosleep(&tick, NULL);
    MHD_stop_daemon(d); /* closes every connection, joins the threads */
    return RD_OK;
}
