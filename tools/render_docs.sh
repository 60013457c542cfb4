#!/usr/bin/env bash
# Render the docs without Quarto (readers with Quarto use `nbdev-docs`):
#   nbdev-proc-nbs -> _proc/ (directives applied, show_doc rendered), tools/nb2md.py + pandoc -> _site/*.html,
#   and README.md from the processed index notebook.
# Needs pandoc (Debian/Ubuntu: apt-get install pandoc).
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 HOML16_NO_NETWORK=1
rm -rf _proc
nbdev-proc-nbs --file-re '\.(?:ipynb|qmd|html)$' >/dev/null 2>&1
mkdir -p _site
for nb in _proc/*.ipynb; do
  name=$(basename "$nb" .ipynb)
  python tools/nb2md.py "$nb" | pandoc --from markdown --to html5 --standalone --mathml --toc \
    --metadata title="homl16 — $name" --css ../nbs/styles.css -o "_site/$name.html"
done
python tools/nb2md.py _proc/index.ipynb | pandoc --from markdown --to gfm --wrap=none -o README.md
echo "rendered $(ls _site/*.html | wc -l) pages into _site/; README.md regenerated"
