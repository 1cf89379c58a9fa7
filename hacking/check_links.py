#!/usr/bin/env python3
"""Fail on dead relative links in what ships: every Markdown and RST file of the built collection artifact.

    hacking/check_links.py .build/collab-uc-X.Y.Z.tar.gz

A relative link (no scheme, not only an #anchor) must name a file or directory inside the artifact, resolved
from the linking file's directory. Links to what the artifact leaves out (ucsim/, bench/, docs/architecture.md,
...) are dead for a user: point them at the repository (https://github.com/collab-uc/collab.uc/blob/main/...).
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


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
