#!/usr/bin/env python3
"""Compare what an independent HdrHistogram reader made of the log that
`report --format hdr` wrote with the result's own histograms.

usage: compare_hlog.py RESULT.json DECODED.jsonl
    DECODED.jsonl (read_hlog.js, with hdr-histogram-js): one JSON object
    per interval histogram, in log order: the same counts in the same
    buckets, the same total, p99 in the bucket of the result's p99.
usage: compare_hlog.py --processor TAG RESULT.json PROCESSOR.csv
    PROCESSOR.csv: the -csv output of HdrHistogram's own
    HistogramLogProcessor (-outputValueUnitRatio 1: ns) for TAG ("" for
    the untagged lines, read, write): per interval the count, and the
    p50, p90 and max in the buckets of the result's; at the end the count
    and p99 of all of them together, the result's merge.
"""
import json
import sys


def buckets(lat_hist):
    """index -> count of a lat_hist: the d1 string or schema 1's pairs."""
    out = {}
    b = lat_hist["buckets"]
    if isinstance(b, str):
        idx = None
        for item in filter(None, b.split(",")):
            step, count = item.split(":")
            idx = int(step) if idx is None else idx + int(step)
            out[idx] = out.get(idx, 0) + int(count)
    else:
        for idx, count in b:
            out[idx] = out.get(idx, 0) + count
    return out


def bucket_of(bits, v):
    """Our index of value v (stats/hist.h)."""
    if v < (1 << bits):
        return v
    m = v.bit_length() - 1
    return (1 << bits) + ((m - bits) << bits) + (v >> (m - bits)) - (1 << bits)


def nodes(doc):
    """The (tag, direction object) of each line, in the order of the log."""
    out = []
    runs = doc.get("runs") or []
    run_results = [r["results"] for r in runs] if len(runs) >= 2 else [doc["results"]]
    for res in run_results:
        parts = res.get("steps") or res.get("phases") or [res]
        for p in parts:
            out.append(("NO TAG", p["total"]))
            for d in ("read", "write"):
                if p[d]["ops"]:
                    out.append((d, p[d]))
    return out


def processor(tag, path, csv_path):
    doc = json.load(open(path))
    key = tag or "total"
    want = [d for t, d in nodes(doc) if t == (tag or "NO TAG")]
    rows = [line.strip().split(",") for line in open(csv_path)
            if line.strip() and not line.startswith("#") and not line.startswith('"')]
    where = f"{path} ({tag or 'untagged'}, HistogramLogProcessor)"
    if len(rows) != len(want):
        sys.exit(f"{where}: {len(rows)} intervals, want {len(want)}")
    for i, (row, d) in enumerate(zip(rows, want)):
        bits = d["lat_hist"]["bits"]
        count, p50, p90, mx = int(row[1]), float(row[2]), float(row[3]), float(row[4])
        if count != d["ops"]:
            sys.exit(f"{where}: interval {i}: {count} I/Os, want {d['ops']}")
        for name, v in (("p50", p50), ("p90", p90), ("max", mx)):
            if bucket_of(bits, int(v)) != bucket_of(bits, int(d["lat_ns"][name])):
                sys.exit(f"{where}: interval {i}: {name} {v} not in the bucket of the "
                         f"result's {d['lat_ns'][name]}")
    merged = doc["results"][key]
    last = rows[-1]
    if int(last[5]) != merged["ops"]:
        sys.exit(f"{where}: {last[5]} I/Os in all, want {merged['ops']}")
    if bucket_of(merged["lat_hist"]["bits"], int(float(last[8]))) != \
            bucket_of(merged["lat_hist"]["bits"], merged["lat_ns"]["p99"]):
        sys.exit(f"{where}: p99 of all {last[8]} not in the bucket of {merged['lat_ns']['p99']}")
    print(f"{where}: {len(rows)} intervals, counts and percentiles agree")


def main():
    if sys.argv[1] == "--processor":
        processor(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    doc = json.load(open(sys.argv[1]))
    got = [json.loads(line) for line in open(sys.argv[2]) if line.strip()]
    want = nodes(doc)
    if len(got) != len(want):
        sys.exit(f"{sys.argv[1]}: {len(got)} histograms in the log, want {len(want)}")
    for i, ((tag, d), g) in enumerate(zip(want, got)):
        where = f"{sys.argv[1]}: histogram {i} ({tag})"
        if g["tag"] != tag:
            sys.exit(f"{where}: tag {g['tag']}")
        if g["digits"] != 2:
            sys.exit(f"{where}: {g['digits']} significant digits, want 2")
        b = buckets(d["lat_hist"])
        counts = {idx: c for idx, c in g["counts"]}
        if counts != b:
            diff = sorted(set(counts.items()) ^ set(b.items()))[:5]
            sys.exit(f"{where}: counts differ, first differences {diff}")
        if g["total"] != sum(b.values()):
            sys.exit(f"{where}: total {g['total']}, want {sum(b.values())}")
        bits = d["lat_hist"]["bits"]
        if bucket_of(bits, int(g["p99"])) != bucket_of(bits, d["lat_ns"]["p99"]):
            sys.exit(f"{where}: p99 {g['p99']} is not in the bucket of the result's "
                     f"{d['lat_ns']['p99']}")
    print(f"{sys.argv[1]}: {len(got)} histograms read back by hdr-histogram-js, "
          f"every count in its bucket")


if __name__ == "__main__":
    main()
