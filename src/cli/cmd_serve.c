/* rdrop serve FOLDER...: the explorer (docs/explorer.md). */
#include <cblas.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "rdrop/signals.h"
#include "serve/serve.h"

static const char *USAGE =
    "usage: rdrop serve [OPTIONS] FOLDER...\n"
    "\n"
    "Serves the explorer, a page in your browser: draw a digit and watch the full\n"
    "network and K dropout sub-networks of two runs' models vote on it (their\n"
    "disagreement is the test_kl that R-Drop trains down), and see the runs'\n"
    "learning curves and the studies' tables. The page comes from this binary;\n"
    "it loads nothing from the internet.\n"
    "\n"
    "FOLDER: a run folder (rdrop train --out), a folder holding run folders (found\n"
    "three levels down), or a study folder (results.csv, rdrop compare --out).\n"
    "Nothing outside these folders is read, through symlinks neither. Runs that\n"
    "appear later are listed when the page refreshes its list.\n"
    "\n"
    "  --port N             port to listen on (default 8000; 0: any free port)\n"
    "  --host ADDR          address to listen on (default 127.0.0.1: this machine\n"
    "                       only; 0.0.0.0 opens it to the network)\n"
    "  --threads N          request threads, 1 to 16 (default 2)\n"
    "  --timeout S          seconds an idle connection is kept, 1 to 600 (default 10)\n"
    "  --max-connections N  connections open at once, 1 to 1024 (default 64)\n"
    "  -h, --help           this text\n"
    "\n"
    "Prints \"rdrop serve: http://HOST:PORT/ (Ctrl-C to stop)\" once listening, and\n"
    "stops cleanly on SIGINT or SIGTERM. The JSON API is in docs/explorer.md.\n";

static void ready(void *arg, int port) {
    const rd_serve_options *o = arg;
    int v6 = strchr(o->host, ':') != NULL;
    printf("rdrop serve: http://%s%s%s:%d/ (Ctrl-C to stop)\n", v6 ? "[" : "", o->host, v6 ? "]" : "", port);
    fflush(stdout);
}

int cmd_serve(int argc, char **argv) {
    static const struct option opts[] = {{"port", required_argument, 0, 'p'},
                                         {"host", required_argument, 0, 'H'},
                                         {"threads", required_argument, 0, 't'},
                                         {"timeout", required_argument, 0, 'T'},
                                         {"max-connections", required_argument, 0, 'c'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *optstring = "p:H:t:T:c:h";
    rd_serve_options o = {"127.0.0.1", 8000, 2, 10, 64};
    unsigned long long v;
    int c;
    while ((c = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(USAGE, stdout); return 0;
        case 'H': o.host = optarg; break;
        case 'p':
            if (!cli_number(optarg, 0, 65535, &v)) return cli_usage_error("serve", "--port %s: not a port from 0 to 65535", optarg);
            o.port = (int)v;
            break;
        case 't':
            if (!cli_number(optarg, 1, 16, &v)) return cli_usage_error("serve", "--threads %s: not a whole number from 1 to 16", optarg);
            o.threads = (int)v;
            break;
        case 'T':
            if (!cli_number(optarg, 1, 600, &v)) return cli_usage_error("serve", "--timeout %s: not a whole number from 1 to 600", optarg);
            o.timeout = (int)v;
            break;
        case 'c':
            if (!cli_number(optarg, 1, 1024, &v))
                return cli_usage_error("serve", "--max-connections %s: not a whole number from 1 to 1024", optarg);
            o.max_connections = (int)v;
            break;
        default: return cli_bad_option("serve", optstring, argv);
        }
    }
    if (optind >= argc) return cli_usage_error("serve", "expected at least one run or study folder");
    rd_error err = {0};
    rd_server *s;
    if (rd_server_new(argv + optind, argc - optind, &s, &err)) return cli_error("serve", &err);
    int runs, studies;
    rd_server_count(s, &runs, &studies);
    if (runs + studies == 0)
        fprintf(stderr, "rdrop serve: no run or study folder found yet in the folders given; serving anyway\n");
    /* Each request runs on one thread: OpenBLAS's own threads on top of
     * the request threads would only fight over the cores. */
    openblas_set_num_threads(1);
    rd_catch_stop_signals();
    rd_status st = rd_serve_http(s, &o, &rd_stop_requested, ready, &o, &err);
    rd_server_free(s);
    if (st) return cli_error("serve", &err);
    return 0;
}
