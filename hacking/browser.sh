#!/usr/bin/env bash
# Make sure a headless Chromium is there for the HTML report test (tests/integration/test_oauth_audit_browser.py).
# On a clean Debian/Ubuntu machine, as root: apt-get update && apt-get install -y chromium. Never fatal: without
# Chromium the browser test skips and says why.
set -u
for exe in chromium chromium-browser google-chrome; do
    if command -v "$exe" >/dev/null 2>&1; then
        echo "browser: $(command -v "$exe") is installed"
        exit 0
    fi
done
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "browser: chromium is missing and cannot be installed here (needs root and apt-get); the browser test will skip" >&2
    exit 0
fi
echo "browser: installing Debian's chromium package (apt-get update && apt-get install -y chromium)"
if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; then
    echo "browser: chromium installed"
else
    echo "browser: installing chromium failed; the browser test will skip" >&2
fi
exit 0
