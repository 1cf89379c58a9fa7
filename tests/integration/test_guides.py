"""Every guide tested as printed: the marked shell blocks of README.md, docs/*.md, the role READMEs, the example
READMEs and the simulator's guide (ucsim/README.md; not in the collection's artifact) run against the simulator,
so a guide that stops working fails `make test`.

A block is marked by an HTML comment on the line before its fence (invisible on GitHub and in the docsite):

    <!-- guide-test: NAME lab=LAB -->
    ```sh
    ansible-playbook -i examples/lab/hosts.yml collab.uc.oauth_audit
    ```

It runs with `bash -euo pipefail` in a fresh directory (holding `examples/`, as the repository's root does), with
the lab (`ucsim labs`; default `default`) running and what `make sim LAB=LAB` prints exported (`STATE_DIR/env.sh`),
the installed collection in ANSIBLE_COLLECTIONS_PATH and the test's Python's bin directory (ansible-playbook) first
on PATH: as a user who ran `make build`, `make sim LAB=LAB` and `. .build/sim/LAB/env.sh`. One simulator per lab
for the whole module, reset before each block. Mark quick blocks only (simulator sections, quick starts).
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

import pytest

import helpers
from helpers import REPO_ROOT, Simulator, shipped_lab

MARK_RE = re.compile(r"^<!--\s*guide-test:\s*(?P<name>[A-Za-z0-9_.-]+)(?P<opts>(?:\s+\w+=\S+)*)\s*-->\s*$")
FENCE_RE = re.compile(r"^```(?P<info>sh|bash|shell)\s*$")
# the guides whose simulator sections a newcomer follows: each must keep at least one marked block
MUST_HAVE_BLOCKS = ("README.md", "docs/audit.md", "docs/oauth-refresh-login.md", "docs/revoking-refresh-tokens.md",
                    "docs/authz-keys.md", "docs/service-restarts.md", "docs/gitops.md", "roles/rolling_restart/README.md")


class GuideError(ValueError):
    pass


@dataclass
class Block:
    guide: str
    name: str
    line: int
    lab: str
    text: str

    @property
    def id(self) -> str:
        return "%s:%s" % (self.guide, self.name)


def guides(root: Path = REPO_ROOT) -> List[Path]:
    found = [root / "README.md"] + sorted((root / "docs").glob("*.md")) + sorted((root / "roles").glob("*/README.md")) \
        + sorted((root / "examples").glob("*/README.md")) + [root / "ucsim" / "README.md"]
    return [p for p in found if p.is_file()]


def extract(text: str, guide: str = "guide") -> List[Block]:
    """The marked blocks of one guide's Markdown; a marker not followed by a shell fence is an error."""
    lines = text.splitlines()
    blocks: List[Block] = []
    i = 0
    while i < len(lines):
        mark = MARK_RE.match(lines[i].strip())
        if mark is None:
            if lines[i].strip().startswith("<!--") and "guide-test" in lines[i]:
                raise GuideError("%s:%d: malformed guide-test marker %r" % (guide, i + 1, lines[i]))
            i += 1
            continue
        opts = dict(o.split("=", 1) for o in mark.group("opts").split())
        unknown = set(opts) - {"lab"}
        if unknown:
            raise GuideError("%s:%d: unknown option(s) %s in the marker" % (guide, i + 1, ", ".join(sorted(unknown))))
        if i + 1 >= len(lines) or not FENCE_RE.match(lines[i + 1].strip()):
            raise GuideError("%s:%d: the guide-test marker %s is not followed by a ```sh fence"
                             % (guide, i + 1, mark.group("name")))
        body = []
        j = i + 2
        while j < len(lines) and lines[j].strip() != "```":
            body.append(lines[j])
            j += 1
        if j >= len(lines):
            raise GuideError("%s:%d: the block %s is never closed" % (guide, i + 2, mark.group("name")))
        blocks.append(Block(guide, mark.group("name"), i + 2, opts.get("lab", "default"), "\n".join(body) + "\n"))
        i = j + 1
    names = [b.name for b in blocks]
    if len(set(names)) != len(names):
        raise GuideError("%s: two blocks share a name: %s" % (guide, names))
    return blocks


def all_blocks(root: Path = REPO_ROOT) -> List[Block]:
    out: List[Block] = []
    for path in guides(root):
        out += extract(path.read_text(encoding="utf-8"), str(path.relative_to(root)))
    return out


def run_block(block: Block, sim: Simulator, work: Path, timeout: float = 300.0) -> subprocess.CompletedProcess:
    """Run one block as a user would, in ``work`` (a fresh directory with ``examples/``)."""
    work.mkdir(parents=True, exist_ok=True)
    for name in ("examples", ".build"):  # what the repository's root holds after `make build`
        if not (work / name).exists() and (REPO_ROOT / name).is_dir():
            (work / name).symlink_to(REPO_ROOT / name)
    home = work / ".home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(helpers._SCRUBBED_ENV_PREFIXES)}
    env.update(sim.env())  # what `make sim` tells a user to export: STATE_DIR/env.sh
    env.update({
        "PATH": "%s%s%s" % (helpers._bin_dir(), os.pathsep, env.get("PATH", "")),
        "HOME": str(home),
        "ANSIBLE_COLLECTIONS_PATH": str(helpers.collections_path()),
        "ANSIBLE_HOME": str(home / ".ansible"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "PYTHONUNBUFFERED": "1",
    })
    return subprocess.run(["bash", "-euo", "pipefail", "-c", block.text], cwd=str(work), env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout, check=False)


def describe(block: Block, proc: subprocess.CompletedProcess) -> str:
    return "guide %s, block %s (line %d) exited %d\n--- block ---\n%s--- stdout ---\n%s\n--- stderr ---\n%s" % (
        block.guide, block.name, block.line, proc.returncode, block.text, proc.stdout[-15000:], proc.stderr[-8000:])


BLOCKS = all_blocks()


@pytest.fixture(scope="module")
def labs(tmp_path_factory):
    """One simulator per lab, started when a block first needs it, for the whole module."""
    started: Dict[str, Simulator] = {}

    def get(name: str) -> Simulator:
        if name not in started:
            started[name] = Simulator.start(lab=shipped_lab(name), state_dir=tmp_path_factory.mktemp("ucsim-" + name))
        sim = started[name]
        assert sim.running, sim.log_tail()
        sim.reset(state=True)
        return sim

    yield get
    for sim in started.values():
        sim.stop()


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_guide_block_runs_as_printed(block, labs, installed_collection, tmp_path):
    if ".build/" in block.text and not (REPO_ROOT / ".build").is_dir():
        pytest.skip("the block uses the artifact of `make build` (.build/), which this copy of the collection lacks")
    proc = run_block(block, labs(block.lab), tmp_path / "work")
    assert proc.returncode == 0, describe(block, proc)


def test_the_newcomer_guides_keep_their_tested_blocks():
    have = {b.guide for b in BLOCKS}
    missing = [g for g in MUST_HAVE_BLOCKS if g not in have]
    assert not missing, "guides without a <!-- guide-test: NAME --> block: %s" % missing
    assert all(b.lab in {p.stem for p in shipped_lab("default").parent.glob("*.yml")} for b in BLOCKS)


@pytest.mark.matrix
def test_breaking_one_command_of_a_guide_makes_its_block_fail(labs, installed_collection, tmp_path):
    # a copy of the audit guide with one command broken (a playbook name misspelt), extracted like the real one
    text = (REPO_ROOT / "docs" / "audit.md").read_text(encoding="utf-8")
    good = extract(text, "docs/audit.md")
    assert good and "collab.uc.oauth_audit" in good[0].text
    at = text.index("<!-- guide-test: %s" % good[0].name)  # the command inside the marked block, not the prose's
    broken = extract(text[:at] + text[at:].replace("collab.uc.oauth_audit", "collab.uc.oauth_audti", 1),
                     "docs/audit.md")
    assert [b.name for b in broken] == [b.name for b in good]
    proc = run_block(broken[0], labs(broken[0].lab), tmp_path / "broken")
    assert proc.returncode != 0, describe(broken[0], proc)
    assert "oauth_audti" in proc.stdout + proc.stderr


def test_a_marker_without_its_block_is_an_error():
    with pytest.raises(GuideError, match="not followed by a ```sh fence"):
        extract("text\n<!-- guide-test: lonely -->\nno fence\n")
    with pytest.raises(GuideError, match="malformed"):
        extract("<!-- guide-test lonely -->\n```sh\ntrue\n```\n")
    assert [b.name for b in extract("<!-- guide-test: a lab=audit -->\n```sh\necho hi\n```\n")] == ["a"]
