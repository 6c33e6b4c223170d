#!/usr/bin/env python3
"""Reference values for tests/unit/test_stats.c, from the standard library only.

Student's t CDF: closed forms for 1, 2 and 4 degrees of freedom, and for any df
Simpson's rule on the density with 200000 intervals (error far below 1e-9).
Quantiles: bisection on that CDF. Mean and standard deviation: `statistics`.
Run: python3 tests/unit/stats_reference.py
"""
import itertools
import math
import statistics


def pdf(x, df):
    c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(c - (df + 1) / 2 * math.log1p(x * x / df))


def cdf_numeric(t, df, n=200000):
    # P(T <= t) = 1/2 + integral of the density from 0 to t
    h = t / n
    s = pdf(0, df) + pdf(t, df)
    for i in range(1, n):
        s += (4 if i % 2 else 2) * pdf(i * h, df)
    return 0.5 + s * h / 3


def cdf_closed(t, df):
    if df == 1:
        return 0.5 + math.atan(t) / math.pi
    if df == 2:
        return 0.5 + t / (2 * math.sqrt(2 + t * t))
    if df == 4:
        x = t * t / (4 + t * t)  # P = 1/2 + (3/4) sqrt(x) (1 - x/3) sign(t)
        return 0.5 + math.copysign(0.75 * math.sqrt(x) * (1 - x / 3), t)
    raise ValueError(df)


def quantile(p, df):
    lo, hi = 0.0, 1.0
    while cdf_numeric(hi, df, 20000) < p:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        if cdf_numeric(mid, df, 20000) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def sign_flip(d):
    """Two-sided exact sign-flip p: the share of sign patterns with |sum| >= observed."""
    obs = abs(sum(d))
    hits = sum(abs(sum(s * x for s, x in zip(signs, d))) >= obs - 1e-12 * sum(map(abs, d))
               for signs in itertools.product([1, -1], repeat=len(d)))
    return hits / 2 ** len(d)


if __name__ == "__main__":
    for t, df in [(1.0, 1), (2.5, 2), (-1.5, 4), (2.776445, 4)]:
        print(f"cdf closed  t={t} df={df}: {cdf_closed(t, df):.12f}  numeric {cdf_numeric(t, df):.12f}")
    for t, df in [(1.3, 9), (2.0, 29), (0.7, 3)]:
        print(f"cdf numeric t={t} df={df}: {cdf_numeric(t, df):.12f}")
    for p, df in [(0.975, 4), (0.975, 2), (0.975, 9), (0.995, 29)]:
        print(f"quantile p={p} df={df}: {quantile(p, df):.6f}")
    x = [1.62, 1.55, 1.71, 1.58, 1.66]
    print(f"mean {statistics.mean(x):.12f} stdev {statistics.stdev(x):.12f}")
    # paired test of the report fixture (tests/unit/fixtures/compare/results.csv)
    a = [1.80, 1.70, 1.90, 1.75, 1.85]
    b = [1.60, 1.65, 1.70, 1.50, 1.72]
    d = [bi - ai for ai, bi in zip(a, b)]
    m, s = statistics.mean(d), statistics.stdev(d)
    t = m / (s / math.sqrt(len(d)))
    p = 2 * (1 - cdf_numeric(abs(t), len(d) - 1))
    c = [ai + di for ai, di in zip(a, [0.10, -0.05, 0.00, 0.05, -0.02])]
    print("third config:", [round(v, 2) for v in c])
    for name, xs in [("a", a), ("b", b), ("c", c)]:
        print(f"{name}: mean {statistics.mean(xs):.6f} stdev {statistics.stdev(xs):.6f}")
    d2 = [ci - ai for ai, ci in zip(a, c)]
    m2, s2 = statistics.mean(d2), statistics.stdev(d2)
    t2 = m2 / (s2 / math.sqrt(5))
    p2 = 2 * (1 - cdf_numeric(abs(t2), 4))
    print(f"paired c-a: mean {m2:.6f} sd {s2:.6f} t {t2:.6f} p {p2:.6f} half_ci {quantile(0.975, 4) * s2 / math.sqrt(5):.6f}")
    print(f"paired: mean {m:.12f} sd {s:.12f} t {t:.12f} p {p:.12f} half_ci {quantile(0.975, 4) * s / math.sqrt(5):.6f}")
    print(f"sign-flip b-a {sign_flip([bi - ai for ai, bi in zip(a, b)])}  c-a {sign_flip(d2)}  "
          f"[1, 2, 3, -0.5] {sign_flip([1, 2, 3, -0.5])}")

    # leaving one seed out of the fixture: both comparisons' t p without that
    # seed, Holm-adjusted over the two (report.md's "Leaving one seed out")
    def holm(ps):
        order = sorted(range(len(ps)), key=lambda k: ps[k])
        adj, run = [0.0] * len(ps), 0.0
        for i, k in enumerate(order):
            run = max(run, min(1.0, (len(ps) - i) * ps[k]))
            adj[k] = run
        return adj
    def tp(d):
        m, s = statistics.mean(d), statistics.stdev(d)
        return 2 * (1 - cdf_numeric(abs(m / (s / math.sqrt(len(d)))), len(d) - 1))
    loo = []
    for skip in range(5):
        keep = [i for i in range(5) if i != skip]
        loo.append(holm([tp([b[i] - a[i] for i in keep]), tp([c[i] - a[i] for i in keep])]))
    print("leave one out, b-a: %.6g to %.6g; c-a: %.6g to %.6g" % (
        min(h[0] for h in loo), max(h[0] for h in loo), min(h[1] for h in loo), max(h[1] for h in loo)))
    print("b-a omissions below 0.05:", sum(h[0] < 0.05 for h in loo))
