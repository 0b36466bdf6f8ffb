#!/usr/bin/env bash
# The same ANN harness (bench/Werkly.VectorIndex.AnnBench) built from two commits, run alternately on the same data,
# so a redesign's cost is a ratio measured in one run on this noisy machine.
# usage (from the project root): bench/compare-commits.sh OLD_REF DATA_DIR [ROUNDS] [PROBES]
# DATA_DIR is a texmex set (base.fvecs, query.fvecs, gt.ivecs), e.g. from ../shared/peers/make_vectors.py.
# Prints, per probes value, the median (over rounds) of each build's single-query p50, and the median commit time of
# the same records through the facade (--mapped), with the ratios new / old.
set -euo pipefail
old=${1:?old commit}; data=${2:?data dir}; rounds=${3:-5}; probes=${4:-1,4,16}
root=$(pwd)
tmp=$(mktemp -d); trap 'git -C "$root" worktree remove --force "$tmp/src-old" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach -q "$tmp/src-old" "$old"
dotnet build -c Release -v q "$tmp/src-old/bench/Werkly.VectorIndex.AnnBench" -o "$tmp/old" >/dev/null
dotnet build -c Release -v q "$root/bench/Werkly.VectorIndex.AnnBench" -o "$tmp/new" >/dev/null
for round in $(seq 1 "$rounds"); do
  for build in old new; do
    dotnet "$tmp/$build/Werkly.VectorIndex.AnnBench.dll" --data "$data" --probes "$probes" --k 10 --json --mapped "$tmp/index-$build" \
      > "$tmp/$build-$round.json" 2> "$tmp/$build-$round.log"
  done
done
/usr/bin/python3 - "$tmp" "$rounds" <<'PY'
import json, re, statistics, sys, glob
tmp, rounds = sys.argv[1], int(sys.argv[2])
def load(build):
    p50 = {}; commits = []
    for r in range(1, rounds + 1):
        o = json.loads([l for l in open(f"{tmp}/{build}-{r}.json") if l.startswith("{")][-1])
        for row in o["rows"]: p50.setdefault(row["probes"], []).append(row["p50_ms"])
        m = re.search(r"commit (\d+) ms", open(f"{tmp}/{build}-{r}.log").read())
        if m: commits.append(float(m.group(1)))
    return p50, commits, o
old, oc, meta = load("old"); new, nc, _ = load("new")
print(f"n={meta['n']} dim={meta['dim']} lists={meta['lists']} rounds={rounds} (medians over rounds, builds alternating)")
for p in sorted(old):
    a, b = statistics.median(old[p]), statistics.median(new[p])
    print(f"probes {p:>3}: p50 old {a:.4f} ms, new {b:.4f} ms, ratio new/old {b / a:.3f}")
if oc and nc:
    a, b = statistics.median(oc), statistics.median(nc)
    print(f"commit of {meta['n']} records: old {a:.0f} ms, new {b:.0f} ms, ratio new/old {b / a:.3f}")
PY
