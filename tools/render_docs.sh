#!/usr/bin/env bash
# Render the docs without Quarto (readers with Quarto use `nbdev-docs`):
#   nbdev's notebook processing -> _proc/ (directives applied, show_doc rendered),
#   tools/nb2md.py + pandoc -> _site/*.html (sidebar, previous/next links, nbs/styles.css),
#   and README.md from the processed index notebook.
# Needs pandoc (Debian/Ubuntu: apt-get install pandoc). Calls `nbdev.quarto.proc_nbs` directly: the
# `nbdev-proc-nbs` command first tries to install Quarto (through sudo) when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 HOML16_NO_NETWORK=1
command -v pandoc >/dev/null || { echo "render_docs.sh needs pandoc (apt-get install pandoc)" >&2; exit 1; }
rm -rf _proc _site
python -c "from nbdev.quarto import proc_nbs; proc_nbs(n_workers=${DOCS_WORKERS:-1}, file_re=r'\.(?:ipynb|qmd|html)$')"
python tools/nb2md.py --site _proc _site
python tools/nb2md.py _proc/index.ipynb | pandoc --from markdown --to gfm --wrap=none -o README.md
echo "README.md regenerated"
