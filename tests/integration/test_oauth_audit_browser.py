"""The audit's HTML report as a person sees it: opened in headless Chromium (Debian's chromium package), its finding
rows and their colours read from the rendered page, and a screenshot kept as a test artefact
(tests/output/oauth-audit-report.png) whose pixels show the red, amber and green the report promises."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from helpers import REPO_ROOT
import test_oauth_audit
from test_oauth_audit import PLAYBOOK, arrange_stale_sync, inventory

SIM_LAB = test_oauth_audit.SIM_LAB  # the audit lab, for the sim fixture
ARTEFACTS = REPO_ROOT / "tests" / "output"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]
# What the report's CSS promises (plugins/module_utils/domain/_audit_report.py COLOURS), as the browser computes them.
RED, AMBER, GREEN = (198, 40, 40), (249, 168, 37), (46, 125, 50)

# Appended to a copy of the report: what the browser computed for each finding row and matrix cell, as JSON.
PROBE = """<pre id="probe"></pre><script>
const rows = [...document.querySelectorAll('#findings tr.finding')].map(tr => {
  const sev = tr.cells[0]; const box = tr.getBoundingClientRect();
  return {id: tr.dataset.id, words: sev.innerText.trim(), title: tr.cells[1].querySelector('b').innerText,
          systems: tr.cells[2].innerText, background: getComputedStyle(sev).backgroundColor,
          visible: box.width > 0 && box.height > 0 && getComputedStyle(tr).visibility === 'visible'};
});
const cells = [...document.querySelectorAll('#matrix td.cell')].map(td => ({
  system: td.parentElement.dataset.system, check: td.dataset.check, words: td.querySelector('b').innerText,
  background: getComputedStyle(td).backgroundColor}));
document.getElementById('probe').textContent = JSON.stringify({rows, cells});
</script>"""


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def run_chromium(tmp_path, *args):
    exe = chromium()
    profile = tmp_path / ("profile-%d" % len(list(tmp_path.glob("profile-*"))))
    cmd = [exe] + FLAGS + ["--user-data-dir=%s" % profile] + list(args)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, check=False)
    assert proc.returncode == 0, "chromium failed (%s): %s" % (proc.returncode, proc.stderr[-2000:])
    return proc.stdout


def png_pixels(path):
    """(width, height, rows of (r, g, b)) of an 8-bit RGB or RGBA PNG (what Chromium writes)."""
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour, interlace = header[0], header[1], header[2], header[3], header[6]
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append([tuple(line[x * channels:x * channels + 3]) for x in range(width)])
        previous = line
    return width, height, rows


def rgb(css):
    return tuple(int(part) for part in css[css.index("(") + 1:css.index(")")].split(",")[:3])


@pytest.fixture
def report(sim, run_playbook, tmp_path):
    if chromium() is None:
        pytest.skip("Chromium is not installed (make browser installs Debian's chromium package as root; it needs "
                    "apt-get and network access to the Debian mirror)")
    arrange_stale_sync(sim)
    run = run_playbook(PLAYBOOK, inventory=inventory(sim, tmp_path / "reports"))
    assert run.rc == 0, run.describe()
    return tmp_path / "reports" / "oauth-audit.html"


@pytest.mark.matrix
def test_a_person_sees_each_finding_in_its_colour(report, tmp_path):
    probe = tmp_path / "probe.html"
    probe.write_text(report.read_text().replace("</body>", PROBE + "</body>"))
    dom = run_chromium(tmp_path, "--dump-dom", probe.as_uri())
    start = dom.index('<pre id="probe">') + len('<pre id="probe">')
    seen = json.loads(dom[start:dom.index("</pre>", start)].replace("&quot;", '"').replace("&amp;", "&")
                      .replace("&lt;", "<").replace("&gt;", ">"))
    rows = seen["rows"]
    assert len(rows) == 6 and all(r["visible"] for r in rows)
    seed = [r for r in rows if r["title"] == "Refresh login is on in cucm-a but off on Expressway-C expc-a"]
    assert len(seed) == 1 and seed[0]["words"] == "Critical" and rgb(seed[0]["background"]) == RED
    assert seed[0]["systems"] == "cucm-a, expc-a"
    assert sorted(r["words"] for r in rows) == ["Critical"] * 3 + ["Warning"] * 3
    assert all(rgb(r["background"]) == (RED if r["words"] == "Critical" else AMBER) for r in rows)
    cells = dict(((c["system"], c["check"]), c) for c in seen["cells"])
    assert rgb(cells[("expc-a", "mra")]["background"]) == RED and cells[("expc-a", "mra")]["words"] == "Critical"
    assert rgb(cells[("cucm-a", "refresh_login")]["background"]) == GREEN
    assert rgb(cells[("cucm-b", "timers")]["background"]) == AMBER


def test_screenshot_shows_red_amber_and_green_and_is_kept(report, tmp_path):
    shot = tmp_path / "report.png"
    run_chromium(tmp_path, "--screenshot=%s" % shot, "--window-size=1400,1100", report.as_uri())
    width, height, rows = png_pixels(shot)
    assert (width, height) == (1400, 1100)
    counts = dict((colour, sum(row.count(colour) for row in rows)) for colour in (RED, AMBER, GREEN))
    # every colour fills whole cells (not only the legend's badges): thousands of pixels each
    assert all(n > 5000 for n in counts.values()), counts
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, ARTEFACTS / "oauth-audit-report.png")
    shutil.copyfile(report, ARTEFACTS / "oauth-audit-report.html")
    assert os.path.getsize(ARTEFACTS / "oauth-audit-report.png") > 10000


def test_the_report_is_not_cut_off_in_a_window_800_pixels_wide(report, tmp_path):
    # the page itself never gets wider than the window: the matrix scrolls inside its own box if it must
    probe = tmp_path / "narrow.html"
    probe.write_text(report.read_text().replace("</body>", """<pre id="probe"></pre><script>
const m = document.getElementById('matrix').parentElement;
document.getElementById('probe').textContent = JSON.stringify({page: document.documentElement.scrollWidth,
  window: window.innerWidth, box: m.getBoundingClientRect().right, scrolls: getComputedStyle(m).overflowX});
</script></body>"""))
    dom = run_chromium(tmp_path, "--window-size=800,1000", "--dump-dom", probe.as_uri())
    start = dom.index('<pre id="probe">') + len('<pre id="probe">')
    seen = json.loads(dom[start:dom.index("</pre>", start)].replace("&quot;", '"'))
    assert seen["window"] == 800 and seen["page"] <= 800 and seen["box"] <= 800, seen
    assert seen["scrolls"] == "auto"
