"""Render processed notebooks (`nbdev.quarto.proc_nbs` output in `_proc/`) without Quarto.

    python tools/nb2md.py _proc/index.ipynb          # pandoc Markdown on stdout (the README is made from it)
    python tools/nb2md.py --site _proc _site         # every notebook -> a standalone HTML page with navigation

Quarto's cell directives are honoured (`#| echo: false`, `#| output: false`, `#| include: false`). On the site,
cells are wrapped in the same classes Quarto emits (`cell`, `cell-output`), so `nbs/styles.css` styles both, links
between notebooks point at their pages, and every page has a sidebar plus previous/next links.
Used by `tools/render_docs.sh`; readers with Quarto use `nbdev-docs`."""
import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

DIRECTIVE = re.compile(r"^\s*#\s*\|\s*([\w-]+)\s*:?\s*(.*?)\s*$")
REPO_NB = re.compile(r"https://github\.com/homl16/homl16/blob/main/nbs/([\w.-]+)\.ipynb")
LOCAL_NB = re.compile(r"\]\((?!https?:)([\w./-]*?)([\w-]+)\.ipynb(#[\w-]*)?\)")


def directives(src: str) -> tuple[dict, str]:
    found, lines = {}, src.splitlines()
    while lines and (m := DIRECTIVE.match(lines[0])):
        found[m.group(1).lower()] = m.group(2).lower() or "true"
        lines.pop(0)
    return found, "\n".join(lines).strip("\n")


def output_md(out: dict) -> str:
    if out.get("output_type") == "stream":
        text = "".join(out["text"])
        text = "\n".join(line.split("\r")[-1] for line in text.split("\n"))  # progress bars: keep the last state
        return f"```\n{text.rstrip()}\n```"
    if out.get("output_type") == "error":
        return f"```\n{out.get('ename')}: {out.get('evalue')}\n```"
    data = out.get("data", {})
    if "image/png" in data:
        return f"![](data:image/png;base64,{''.join(data['image/png']).strip()})"
    if "text/markdown" in data:
        return "".join(data["text/markdown"])
    if "text/html" in data:
        return "```{=html}\n" + "".join(data["text/html"]) + "\n```"
    if "text/plain" in data:
        return f"```\n{''.join(data['text/plain']).rstrip()}\n```"
    return ""


def page_title(nb: dict) -> str:
    "The notebook's title: nbdev's front matter, else its first `# ` heading, else ''."
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "raw" and src.startswith("---"):
            return (yaml.safe_load(src.strip().strip("-")) or {}).get("title", "")
        if cell["cell_type"] == "markdown" and (m := re.match(r"#\s+(.+)", src)):
            return m.group(1).strip()
    return ""


def notebook_md(path: str | Path, site: bool = False) -> str:
    "Pandoc Markdown for one processed notebook; `site=True` wraps cells in Quarto's classes and links pages."
    nb = json.loads(Path(path).read_text())
    fence = (lambda cls, body: f"::: {{.{cls}}}\n{body}\n:::") if site else (lambda cls, body: body)
    parts = []
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            parts.append(src)
            continue
        if cell["cell_type"] == "raw" and src.startswith("---"):  # nbdev frontmatter: title + description
            meta = yaml.safe_load(src.strip().strip("-")) or {}
            parts += [f"# {meta['title']}"] if "title" in meta else []
            parts += [f"> {meta['description']}"] if "description" in meta else []
            continue
        if cell["cell_type"] != "code":
            continue
        d, code = directives(src)
        if d.get("include") == "false":
            continue
        body = [f"```python\n{code}\n```"] if code and d.get("echo") != "false" else []
        if d.get("output") != "false":
            body += [fence("cell-output", md) for md in map(output_md, cell.get("outputs", [])) if md]
        if body:
            parts.append(fence("cell", "\n\n".join(body)))
    md = "\n\n".join(parts) + "\n"
    if site:  # notebooks link to notebooks; on the site they link to pages
        md = LOCAL_NB.sub(lambda m: f"]({m.group(2)}.html{m.group(3) or ''})", REPO_NB.sub(r"\1.html", md))
    return md


def nav_html(pages: list[tuple[str, str]], current: int) -> tuple[str, str]:
    "A sidebar listing every page (the current one marked) and previous/next links."
    items = "\n".join(f'<li{" class=current" if i == current else ""}><a href="{name}.html">{html.escape(title)}</a></li>'
                      for i, (name, title) in enumerate(pages))
    side = f'<nav class="site-nav" aria-label="Course"><a class="site-home" href="index.html">homl16</a><ul>{items}</ul></nav>'
    prev_ = f'<a class="prev" href="{pages[current - 1][0]}.html">← {html.escape(pages[current - 1][1])}</a>' if current else "<span></span>"
    next_ = (f'<a class="next" href="{pages[current + 1][0]}.html">{html.escape(pages[current + 1][1])} →</a>'
             if current + 1 < len(pages) else "<span></span>")
    return side, f'<nav class="page-nav" aria-label="Previous and next">{prev_}{next_}</nav>'


def render_site(proc: Path, out: Path, css: Path) -> list[Path]:
    "Render every processed notebook in `proc` to `out/<name>.html` (index first), with `css` copied beside them."
    nbs = sorted(proc.glob("*.ipynb"), key=lambda p: (p.stem != "index", p.stem))
    pages = [(p.stem, page_title(json.loads(p.read_text())) or p.stem) for p in nbs]
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(css, out / "styles.css")
    written = []
    for i, nb in enumerate(nbs):
        side, foot = nav_html(pages, i)
        (out / ".before.html").write_text(side)
        (out / ".after.html").write_text(foot)
        dest = out / f"{nb.stem}.html"
        subprocess.run(["pandoc", "--from", "markdown", "--to", "html5", "--standalone", "--mathml", "--toc",
                        "--metadata", f"pagetitle=homl16 — {pages[i][1]}", "--css", "styles.css",
                        "--include-before-body", str(out / ".before.html"), "--include-after-body", str(out / ".after.html"),
                        "-o", str(dest)], input=notebook_md(nb, site=True), text=True, check=True)
        written.append(dest)
    (out / ".before.html").unlink(); (out / ".after.html").unlink()
    return written


if __name__ == "__main__":
    if sys.argv[1] == "--site":
        pages = render_site(Path(sys.argv[2]), Path(sys.argv[3]), Path(__file__).parent.parent / "nbs" / "styles.css")
        print(f"rendered {len(pages)} pages into {sys.argv[3]}/")
    else:
        sys.stdout.write(notebook_md(sys.argv[1]))
