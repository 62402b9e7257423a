"""Prints bench/http-load.sh's table from its results file, with issue #13's targets and whether each is met.

Usage: http-load-table.py RESULTS.tsv STARTUP_MEDIAN_MS STARTUP_RUNS
RESULTS.tsv rows: key, path, load, "rps p50 p95 p99 errors non2xx codes", "ticks late dropped" before, the same after.
"""
import sys

# The seeds' per-endpoint p95 (004: /health 18 ms, /status 12 ms, GET /scene 68 ms, POST /scene 245 ms), met with x2 margin.
ENDPOINT_P95 = {"health": 18, "status": 12, "get-scene": 68, "post-scene": 245}
LATE_SHARE = 0.005


def number(text):
    try:
        return float(text)
    except ValueError:
        return None


def main(path, startup_ms, startup_runs):
    rows = []
    for line in open(path, encoding="utf-8"):
        key, name, load, figures, before, after = line.rstrip("\n").split("\t")
        *measured, codes = figures.split()
        rps, p50, p95, p99, errors, non2xx = (number(f) for f in measured)
        b, a = [number(x) for x in before.split()], [number(x) for x in after.split()]
        delta = [None if x is None or y is None else int(y - x) for x, y in zip(b, a)]
        rows.append(dict(key=key, name=name, load=load, rps=rps, p50=p50, p95=p95, p99=p99,
                         errors=int(errors), non2xx=int(non2xx), codes=codes, ticks=delta[0], late=delta[1], dropped=delta[2]))

    closed = {r["key"]: r for r in rows if r["load"].startswith("closed")}

    def target(r):
        clean = r["errors"] == 0 and r["non2xx"] == 0
        if r["load"].startswith("closed"):
            if r["key"] == "b":
                return "rps >= 50% of (a), p99 < 5", r["rps"] >= 0.5 * closed["a"]["rps"] and r["p99"] < 5 and clean
            if r["key"] == "c":
                return "rps >= 50% of (b)", r["rps"] >= 0.5 * closed["b"]["rps"] and clean
            return "", None
        if r["load"].startswith("users"):
            if r["key"] == "d":
                return "p95 < 50, p99 < 100, 0 errors", r["p95"] < 50 and r["p99"] < 100 and clean
            return "", None
        if r["load"].startswith("herd"):
            return "(all in step: for comparison)", None
        limit = ENDPOINT_P95[r["key"]] / 2
        return f"p95 < {limit:g} (seed {ENDPOINT_P95[r['key']]} / 2)", r["p95"] < limit and clean

    def loop(r):
        if r["ticks"] is None or r["late"] is None or r["dropped"] is None or r["ticks"] <= 0:
            return "n/a"
        share = r["late"] / r["ticks"]
        text = f"{r['late']}/{r['ticks']} ({share:.1%}) / {r['dropped']}"
        if r["load"].startswith("closed"):
            text += " " + mark(share <= LATE_SHARE and r["dropped"] == 0)
        return text

    print("| path | load | req/s | p50 | p95 | p99 | errors | non-2xx | late/ticks / dropped | target | met |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        label = f"({r['key']}) {r['name']}" if len(r["key"]) == 1 else r["name"]
        what, met = target(r)
        print(f"| {label} | {r['load']} | {r['rps']:,.0f} | {r['p50']:.2f} | {r['p95']:.2f} | {r['p99']:.2f} | "
              f"{r['errors']} | {r['non2xx']}{'' if r['codes'] == '-' else ' (' + r['codes'] + ')'} | {loop(r)} | {what} | {mark(met)} |")
    startup = number(startup_ms)
    print(f"| spacetime up -> READY | median of {startup_runs} | | {startup_ms} ms | | | | | | < 1000 ms | "
          f"{mark(None if startup is None else startup < 1000)} |")


def mark(met):
    return "" if met is None else ("yes" if met else "NO")


if __name__ == "__main__":
    main(*sys.argv[1:4])
