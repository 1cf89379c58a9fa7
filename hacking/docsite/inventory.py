#!/usr/bin/env python3
"""Write a Sphinx (intersphinx) inventory for the Ansible documentation labels listed in ansible_devel_labels.txt.

The docsite is built offline, so Sphinx cannot download docs.ansible.com's objects.inv; the few labels that
antsibull-docs' pages refer to are listed by hand and resolve to the real pages.

    hacking/docsite/inventory.py OUTPUT.inv
"""

import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(out):
    lines = []
    for raw in (HERE / "ansible_devel_labels.txt").read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        label, uri, title = raw.split(None, 2)
        lines.append("%s std:label -1 %s %s\n" % (label, uri, title))
    header = ("# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n"
              "# The remainder of this file is compressed using zlib.\n")
    Path(out).write_bytes(header.encode() + zlib.compress("".join(lines).encode()))


if __name__ == "__main__":
    main(sys.argv[1])
