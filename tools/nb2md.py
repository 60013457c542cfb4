"""Turn a processed notebook (`nbdev-proc-nbs` output in `_proc/`) into pandoc Markdown, honouring the
Quarto directives that Quarto itself would apply (`#| echo: false`, `#| output: false`, `#| include: false`).
Used by `tools/render_docs.sh` where Quarto is not installed."""
import json
import re
import sys

import yaml

DIRECTIVE = re.compile(r"^\s*#\s*\|\s*([\w-]+)\s*:?\s*(.*?)\s*$")


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


def notebook_md(path: str) -> str:
    nb = json.load(open(path))
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
        if code and d.get("echo") != "false":
            parts.append(f"```python\n{code}\n```")
        if d.get("output") != "false":
            parts.extend(md for md in map(output_md, cell.get("outputs", [])) if md)
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    sys.stdout.write(notebook_md(sys.argv[1]))
