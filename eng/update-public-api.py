#!/usr/bin/env python3
"""Brings every src/*/PublicAPI.Unshipped.txt in line with the code after a deliberate public API change.

Builds the solution, adds the symbols RS0016 reports (new public API) to the project's PublicAPI.Unshipped.txt and
removes those RS0017 reports (declared but gone). Review the diff of the PublicAPI files: it is the API change.
usage (from the repository root): eng/update-public-api.py
"""
import collections, pathlib, re, subprocess, sys

def build():
    run = subprocess.run(["dotnet", "build", "Werkly.VectorIndex.sln", "-c", "Release", "-p:TreatWarningsAsErrors=false"],
                         capture_output=True, text=True)
    return run.stdout + run.stderr

pattern = re.compile(r"^(?P<file>/\S+?\.(?:cs|txt))\(\d+,\d+\): (?:error|warning) (?P<id>RS001[67]): Symbol '(?P<symbol>.+?)' (?:is not part|is part)", re.M)
added, removed = collections.defaultdict(set), collections.defaultdict(set)
for m in pattern.finditer(build()):
    project = next(p for p in pathlib.Path(m["file"]).parents if list(p.glob("*.csproj")))
    (added if m["id"] == "RS0016" else removed)[project].add(m["symbol"])
for project in sorted(set(added) | set(removed)):
    unshipped = project / "PublicAPI.Unshipped.txt"
    lines = unshipped.read_text().splitlines() if unshipped.exists() else ["#nullable enable"]
    body = {l for l in lines[1:] if l.strip()} - removed[project] | added[project]
    unshipped.write_text("\n".join([lines[0], *sorted(body)]) + "\n")
    print(f"{unshipped}: +{len(added[project])} -{len(removed[project])}")
    if removed[project] - set(lines):
        print(f"  note: {len(removed[project] - set(lines))} removed symbols are in PublicAPI.Shipped.txt: edit it by hand (a breaking change)")
sys.exit(0)
