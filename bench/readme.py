"""Write one benchmark's figures into bench/README.md, between markers of its own, leaving the rest alone."""

import re
from pathlib import Path


def update_section(path, key, title, body):
    """Replace (or append) the section between <!-- KEY:start --> and <!-- KEY:end --> in ``path``."""
    path = Path(path)
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    start, end = "<!-- %s:start -->" % key, "<!-- %s:end -->" % key
    block = "%s\n## %s\n\n%s\n%s" % (start, title, body.rstrip(), end)
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: block, text)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)
