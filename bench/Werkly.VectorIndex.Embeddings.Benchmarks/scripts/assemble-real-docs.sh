#!/usr/bin/env bash
# Assembles a corpus of real documentation from this machine (not committed): READMEs and text docs from /usr/share/doc,
# man pages rendered to text, and HTML manuals. Deterministic for a given machine image (sorted lists, fixed counts).
# usage: assemble-real-docs.sh OUT_DIR
set -euo pipefail
out=${1:?usage: assemble-real-docs.sh OUT_DIR}
rm -rf "$out"; mkdir -p "$out/readme" "$out/man" "$out/html"
n=0
# 1. READMEs, Markdown and text docs (plain or gzipped), at least 1 KB, at most 300 per run.
while IFS= read -r f; do
  name=$(echo "${f#/usr/share/doc/}" | tr '/' '_'); name=${name%.gz}
  case "$name" in *.md|*.txt|*.html) ;; *) name="$name.txt" ;; esac
  if [[ $f == *.gz ]]; then zcat "$f" > "$out/readme/$name" 2>/dev/null || continue; else cp "$f" "$out/readme/$name"; fi
  [[ $(stat -c %s "$out/readme/$name") -ge 1024 ]] || { rm "$out/readme/$name"; continue; }
  n=$((n+1)); [[ $n -ge 300 ]] && break
done < <(find /usr/share/doc -type f \( -iname 'README*' -o -iname '*.md' -o -iname '*.md.gz' -o -iname 'NEWS*' -o -iname '*.txt' \) ! -iname '*.html' | sort)
# 2. Man pages of sections 1, 5 and 8 rendered to plain text, 250 of them.
m=0
while IFS= read -r f; do
  page=$(basename "$f" .gz)
  MANWIDTH=100 man -l "$f" 2>/dev/null | col -bx > "$out/man/$page.txt" || true
  [[ $(stat -c %s "$out/man/$page.txt") -ge 1024 ]] || { rm "$out/man/$page.txt"; continue; }
  m=$((m+1)); [[ $m -ge 250 ]] && break
done < <(find /usr/share/man/man1 /usr/share/man/man5 /usr/share/man/man8 -type f -name '*.gz' | sort)
# 3. HTML manuals (/usr/share/doc, then the Rust book), 163 of them.
h=0
while IFS= read -r f; do
  name=$(echo "$f" | tr '/' '_' | sed 's/^_//')
  cp "$f" "$out/html/$name"
  h=$((h+1)); [[ $h -ge 163 ]] && break
done < <( (find /usr/share/doc -type f -name '*.html' -size +2k | sort; find "${RUSTUP_HOME:-$HOME/.rustup}"/toolchains/stable-*/share/doc/rust/html/book -type f -name '*.html' -size +2k 2>/dev/null | sort) )
echo "$(find "$out" -type f | wc -l) documents, $(du -sh "$out" | cut -f1)"
