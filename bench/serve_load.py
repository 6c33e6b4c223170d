#!/usr/bin/env python3
"""Load for `rdrop serve`: a fixed number of POST /api/predict requests from C
concurrent clients (threads, one keep-alive connection each) to a server on
this machine, bounded in count and in time (it stops by itself).

Prints one line: requests, errors, seconds, requests/s, p50, p90, p99 and max
latency in ms (measured by the client: the request sent to the whole reply
read), and the median of the server's own compute time ("ms" in the reply).
Exits 1 when any request failed or the time limit cut the run short.

Usage: serve_load.py URL PNG RUN_ID [--requests N] [--clients C] [--k K]
                     [--max-seconds S]
Only 127.0.0.1, ::1 and localhost are accepted as hosts.
"""
import argparse
import base64
import http.client
import json
import sys
import threading
import time
import urllib.parse


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    i = min(len(sorted_values) - 1, max(0, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[i]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("png")
    ap.add_argument("run", type=int)
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--k", type=int, default=16)
    ap.add_argument("--max-seconds", type=float, default=120.0)
    a = ap.parse_args()
    u = urllib.parse.urlparse(a.url)
    if u.hostname not in ("127.0.0.1", "::1", "localhost"):
        sys.exit("serve_load.py: only a server on this machine (127.0.0.1, ::1, localhost)")
    with open(a.png, "rb") as f:
        image = base64.b64encode(f.read()).decode()

    lock = threading.Lock()
    state = {"left": a.requests, "errors": 0, "first_error": None}
    latencies, server_ms = [], []
    deadline = time.monotonic() + a.max_seconds

    def client(index):
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        n = 0
        while time.monotonic() < deadline:
            with lock:
                if state["left"] == 0:
                    break
                state["left"] -= 1
            body = json.dumps({"image": image, "runs": [a.run], "k": a.k, "seed": index * 1000003 + n})
            n += 1
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/api/predict", body, {"Content-Type": "application/json"})
                res = conn.getresponse()
                data = res.read()
                dt = time.perf_counter() - t0
                if res.status != 200:
                    raise RuntimeError(f"HTTP {res.status}: {data[:200]!r}")
                ms = json.loads(data)["ms"]
                with lock:
                    latencies.append(dt * 1000)
                    server_ms.append(ms)
            except Exception as e:  # counted, and the connection made anew
                with lock:
                    state["errors"] += 1
                    state["first_error"] = state["first_error"] or repr(e)
                conn.close()
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        conn.close()

    t0 = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(a.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - t0
    lat = sorted(latencies)
    done = len(lat)
    print(
        f"requests={done} errors={state['errors']} clients={a.clients} k={a.k} seconds={seconds:.2f} "
        f"rps={done / seconds:.1f} p50_ms={percentile(lat, 0.5):.2f} p90_ms={percentile(lat, 0.9):.2f} "
        f"p99_ms={percentile(lat, 0.99):.2f} max_ms={lat[-1] if lat else float('nan'):.2f} "
        f"server_p50_ms={percentile(sorted(server_ms), 0.5):.2f}"
    )
    if state["errors"]:
        print(f"first error: {state['first_error']}", file=sys.stderr)
    if state["left"] > 0:
        print(f"serve_load.py: stopped by the time limit ({a.max_seconds} s) with {state['left']} requests left",
              file=sys.stderr)
    sys.exit(1 if state["errors"] or state["left"] > 0 else 0)


if __name__ == "__main__":
    main()
