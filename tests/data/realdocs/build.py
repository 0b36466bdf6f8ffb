#!/usr/bin/env python3
"""Builds corpus.jsonl.gz of the real-document fixture (see README.md) from its sources.

Run from the repository root on Debian 12 with the packages named in README.md installed:
    python3 tests/data/realdocs/build.py
The man pages are rendered with `man --nh --nj` at 100 columns (no hyphenation, no justification) and `col -bx`.
"""
import gzip, json, os, re, subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
REPO_COMMIT = "c54b480358c27ea57f7f39a780fe143bea1f4450"  # the repository files as they were when the fixture was made
MAN = ["ssh-keygen", "scp", "ssh-agent", "sftp", "sqlite3", "bzip2", "zip"]
NODE = ["readline", "path", "timers", "os", "console", "tty", "querystring", "string_decoder"]
ACME = ["expenses", "information-security", "it-equipment", "onboarding", "remote-work", "sick-leave", "travel", "vacation-policy"]
WERKLY = {"werkly/tuning.md": "docs/TUNING.md", "werkly/embeddings.md": "docs/EMBEDDINGS.md",
          "werkly/cli-readme.md": "src/Werkly.VectorIndex.Cli/README.md"}


def markdown_title(text):
    m = re.search(r"^#+ (.+)$", text, re.M)
    return m.group(1).strip() if m else ""


def man_title(text):
    m = re.search(r"^NAME\n\s+(.+)$", text, re.M)
    return m.group(1).strip() if m else ""


def git_show(path):
    return subprocess.run(["git", "-C", ROOT, "show", f"{REPO_COMMIT}:{path}"], check=True, capture_output=True, text=True).stdout


docs = []
for name in sorted(os.listdir(os.path.join(HERE, "written"))):
    text = open(os.path.join(HERE, "written", name), encoding="utf-8").read()
    docs.append((f"written/{name}", markdown_title(text), text))
env = dict(os.environ, MANWIDTH="100")
for page in MAN:
    rendered = subprocess.run(f"man --nh --nj {page} | col -bx", shell=True, check=True, capture_output=True, text=True, env=env).stdout
    docs.append((f"man/{page}.txt", man_title(rendered), rendered))
for module in NODE:
    text = open(f"/usr/share/doc/nodejs/api/{module}.md", encoding="utf-8").read()
    docs.append((f"node/{module}.md", markdown_title(text), text))
for name in ACME:
    text = git_show(f"samples/acme-handbook/{name}.md")
    docs.append((f"acme/{name}.md", markdown_title(text), text))
for doc_id, path in WERKLY.items():
    text = git_show(path)
    docs.append((doc_id, markdown_title(text), text))

with gzip.open(os.path.join(HERE, "corpus.jsonl.gz"), "wt", encoding="utf-8", compresslevel=9) as out:
    for doc_id, title, text in docs:
        out.write(json.dumps({"_id": doc_id, "title": title, "text": text}, ensure_ascii=False) + "\n")
print(f"{len(docs)} documents, {sum(len(t) for _, _, t in docs):,} characters")
