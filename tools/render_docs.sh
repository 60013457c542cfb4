#!/usr/bin/env bash
# Render the docs without Quarto (readers with Quarto use `nbdev-docs`):
#   nbdev-proc-nbs -> _proc/ (directives applied, show_doc rendered), then pandoc -> _site/*.html,
#   and README.md from the processed index notebook.
# Needs pandoc (Debian/Ubuntu: apt-get install pandoc).
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 HOML16_NO_NETWORK=1
nbdev-proc-nbs --file-re '\.(?:ipynb|qmd|html)$' >/dev/null
mkdir -p _site
for nb in _proc/*.ipynb; do
  name=$(basename "$nb" .ipynb)
  pandoc "$nb" --from ipynb --to html5 --standalone --self-contained --mathml --toc \
    --metadata title="homl16 — $name" --css nbs/styles.css -o "_site/$name.html" 2>/dev/null \
  || pandoc "$nb" --from ipynb --to html5 --standalone --self-contained --mathml --toc \
    --metadata title="homl16 — $name" -o "_site/$name.html"
done
pandoc _proc/index.ipynb --from ipynb --to gfm --wrap=none -o README.md
echo "rendered $(ls _site/*.html | wc -l) pages into _site/; README.md regenerated"
