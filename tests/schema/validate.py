#!/usr/bin/env python3
"""Validate documents against dmremap-bench's JSON Schema (draft-07), and
check that the schema refuses hollow and mistyped documents.

usage: validate.py SCHEMA FILE...

Every FILE must be valid; fio's output (a "fio version" key, or several fio
documents one after the other) is not ours and is skipped. Then each
mutation below is applied to a valid document of its kind and must be
refused. Exit 0 when all is as expected, 1 otherwise (each problem on one
line).
"""
import copy
import json
import sys

import jsonschema


def load(path):
    with open(path) as f:
        text = f.read()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        if '"fio version"' in text:
            return {"fio version": "stream"}
        raise


def kind(doc):
    if doc.get("kind") == "baseline":
        return "baseline"
    if doc.get("command") == "validate":
        return "validate"
    if doc.get("command") == "compare" and "results" not in doc:
        return "comparison"
    return "result"


def drop(path):
    def f(d):
        *head, last = path
        for k in head:
            d = d[k]
        del d[last]
    return f


def put(path, value):
    def f(d):
        *head, last = path
        for k in head:
            d = d[k]
        d[last] = value
    return f


# (kind, what, mutation): each must make a valid document of that kind invalid.
MUTATIONS = [
    ("result", "no results", drop(["results"])),
    ("result", "no results.total.ops", drop(["results", "total", "ops"])),
    ("result", "no results.read.lat_ns.p99", drop(["results", "read", "lat_ns", "p99"])),
    ("result", "no results.write.lat_hist", drop(["results", "write", "lat_hist"])),
    ("result", "no results.errors", drop(["results", "errors"])),
    ("result", "no results.intervals", drop(["results", "intervals"])),
    ("result", "no environment", drop(["environment"])),
    ("result", "no target", drop(["target"])),
    ("result", "iops a string", put(["results", "read", "iops"], "fast")),
    ("result", "ops negative", put(["results", "total", "ops"], -1)),
    ("result", "ops a real", put(["results", "total", "ops"], 1.5)),
    ("result", "a bucket of count 0", put(["results", "read", "lat_hist", "buckets"], "12:0")),
    ("result", "buckets neither string nor pairs", put(["results", "read", "lat_hist", "buckets"], 7)),
    ("result", "bits 0", put(["results", "read", "lat_hist", "bits"], 0)),
    ("result", "an interval's t_s a string", put(["results", "intervals", 0, "t_s"], "1 s")),
    ("result", "an interval without p99_ns", drop(["results", "intervals", 0, "p99_ns"])),
    ("result", "schema_version 3", put(["schema_version"], 3)),
    ("result", "another tool", put(["tool"], "fio")),
    ("result", "a stream without errors", drop(["results", "streams", 0, "errors"])),
    ("result", "interrupted a string", put(["interrupted"], "no")),
    ("result", "runs of one", put(["runs"], [{"results": {}}])),
    ("baseline", "no runs", drop(["runs"])),
    ("baseline", "runs empty", put(["runs"], [])),
    ("baseline", "a run without totals", drop(["runs", 0, "results", "total"])),
    ("baseline", "no name", drop(["name"])),
    ("comparison", "no metrics", drop(["comparison", "metrics"])),
    ("comparison", "verdict unknown", put(["comparison", "verdict"], "maybe")),
    ("comparison", "a metric without its name", drop(["comparison", "metrics", 0, "metric"])),
    ("comparison", "change_pct a string", put(["comparison", "metrics", 0, "change_pct"], "+3%")),
    ("validate", "no checks", drop(["checks"])),
    ("validate", "a check's status unknown", put(["checks", 0, "status"], "maybe")),
    ("validate", "verdict unknown", put(["verdict"], "ok")),
    ("validate", "no teardown", drop(["teardown"])),
]


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: validate.py SCHEMA FILE...")
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    problems = 0
    valid = {}
    checked = 0
    for path in sys.argv[2:]:
        doc = load(path)
        if "fio version" in doc:
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        checked += 1
        if errors:
            problems += 1
            for e in errors[:5]:
                where = "/".join(str(p) for p in e.absolute_path) or "(the document)"
                print(f"{path}: {where}: {e.message[:300]}")
        else:
            valid.setdefault(kind(doc), []).append((path, doc))
    for k, what, mutate in MUTATIONS:
        # The first valid document of the kind that has what the mutation changes.
        for path, doc in valid.get(k, []):
            bad = copy.deepcopy(doc)
            try:
                mutate(bad)
            except (KeyError, IndexError):
                continue
            if validator.is_valid(bad):
                print(f"{path}: the schema accepts it with {what}")
                problems += 1
            break
        else:
            print(f"no valid {k} document to apply \"{what}\" to")
            problems += 1
    print(f"{checked} documents checked against {sys.argv[1]}, {len(MUTATIONS)} mutations "
          f"refused" if not problems else f"{problems} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
