# Sourced by scripts/build-web and scripts/browser-test: a virtualenv under
# .build/ with the PyPI packages of the browser side, made once.
#   rjsmin                  the JavaScript minifier of the built widget (pinned: the
#                           committed files must come out byte for byte)
#   pillow                  makes the test pictures
#   selenium                drives Debian's chromium through chromium-driver
#   axe-playwright-python   only for the axe-core script it bundles (axe.min.js,
#                           axe-core 4.12); installed without playwright
web_venv=.build/web-venv
web_python="$web_venv/bin/python"
if [ ! -x "$web_python" ] || ! "$web_python" -c "import rjsmin, selenium, PIL, importlib.util as u; assert u.find_spec('axe_playwright_python')" 2>/dev/null; then
    command -v python3 >/dev/null || { echo "python3 is needed for the browser side's tools" >&2; exit 1; }
    mkdir -p .build
    python3 -m venv "$web_venv" || { echo "python3 -m venv failed (apt install python3-venv)" >&2; exit 1; }
    "$web_venv/bin/pip" install --quiet --disable-pip-version-check "rjsmin==1.3.0" "selenium>=4.20,<5" "pillow>=10"
    "$web_venv/bin/pip" install --quiet --disable-pip-version-check --no-deps "axe-playwright-python==0.1.8"
fi
