#!/usr/bin/env python3
"""Fail on dead relative links in what ships: every Markdown and RST file of the built collection artifact.

    hacking/check_links.py .build/collab-uc-X.Y.Z.tar.gz

A relative link (no scheme, not only an #anchor) must name a file or directory inside the artifact, resolved
from the linking file's directory. Links to what the artifact leaves out (ucsim/, bench/, docs/architecture.md,
...) are dead for a user: point them at the repository (https://github.com/collab-uc/collab.uc/blob/main/...).

    hacking/check_links.py --paths docs/architecture.md

Every repository path the page names in backticks exists (from the root, or under plugins/module_utils/,
ucsim/src/ucsim/, a role, a molecule scenario...).
"""

from __future__ import annotations

import posixpath
import re
import sys
import tarfile

MD_INLINE = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
MD_REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.M)
HTML_HREF = re.compile(r"""(?:href|src)=["']([^"']+)["']""")
RST_LINK = re.compile(r"`[^`<]*<([^`>]+)>`_{1,2}")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)


def links(name: str, text: str):
    if name.endswith(".md"):
        text = FENCE.sub("", text)   # code blocks hold examples, not links
        yield from MD_INLINE.findall(text)
        yield from MD_REFERENCE.findall(text)
        yield from HTML_HREF.findall(text)
    else:
        yield from RST_LINK.findall(text)


def main(artifact: str) -> int:
    with tarfile.open(artifact) as tar:
        members = {m.name.lstrip("./").rstrip("/") for m in tar.getmembers()}
        dirs = {posixpath.dirname(n) for n in members}
        members |= dirs
        dead = []
        checked = 0
        for member in tar.getmembers():
            if not member.isfile() or not member.name.endswith((".md", ".rst")):
                continue
            name = member.name.lstrip("./")
            text = tar.extractfile(member).read().decode("utf-8")
            for target in links(name, text):
                if SCHEME.match(target) or target.startswith("#"):
                    continue
                path = target.split("#", 1)[0].split("?", 1)[0]
                if not path:
                    continue
                checked += 1
                resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), path)).rstrip("/")
                if resolved.startswith("..") or resolved not in members:
                    dead.append("%s: %s" % (name, target))
    if dead:
        print("check_links: FAIL: %d dead relative links in %s:\n  %s" % (len(dead), artifact, "\n  ".join(dead)),
              file=sys.stderr)
        return 1
    print("check_links: %d relative links in %s, none dead" % (checked, artifact))
    return 0


PATH_LIKE = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_.<>*/-]*$")
SUFFIXES = (".py", ".md", ".yml", ".yaml", ".sh", ".txt", ".cfg", ".toml", ".j2", ".json", ".rst")
# where a path named in backticks may be relative to (a module_utils file under its layer, a ucsim file, a role's)
BASES = ("", "plugins/module_utils/", "plugins/module_utils/*/", "plugins/doc_fragments/", "plugins/filter/",
         "ucsim/src/ucsim/", "roles/*/", "roles/*/tasks/", "extensions/molecule/", "tests/integration/",
         "tests/unit/plugins/module_utils/", "docs/", "docs/docsite/", "examples/gitops/")
GENERATED = {".build/", "env.sh", "ucsim.json", "oauth-audit.md", "rst/", "extra-docs.yml"}   # made by a run


def check_paths(page: str) -> int:
    """Every repository path a page names in backticks exists (`<name>` and `*` match anything)."""
    import glob
    import os
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    text = open(page, encoding="utf-8").read()
    missing, checked = [], 0
    for token in sorted(set(re.findall(r"`([^`\n]+)`", text))):
        if not PATH_LIKE.match(token) or not (token.endswith(SUFFIXES) or token.endswith("/")) or token.isupper():
            continue
        if token in GENERATED or token.split("/")[0].isupper() or token.startswith(("group/", "DIR/")):
            continue   # a directory the user names (STATE_DIR/env.sh), an action group
        pattern = re.sub(r"<[^>]*>", "*", token).rstrip("/")
        checked += 1
        if not any(glob.glob(os.path.join(root, base + pattern)) for base in BASES):
            missing.append(token)
    if missing:
        print("check_links: FAIL: %d paths named in %s do not exist:\n  %s"
              % (len(missing), page, "\n  ".join(missing)), file=sys.stderr)
        return 1
    print("check_links: %d paths named in %s, all exist" % (checked, page))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--paths":
        sys.exit(check_paths(sys.argv[2]))
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
