#!/usr/bin/env python3
"""The browser side of upare in headless Chromium (selenium, chromium-driver),
against a real `upare serve` (started by scripts/browser-test in the captcha
test mode, with the scenario "pow-demo" asking for a proof of work).

  scripts/browser_test.py BASE_URL --upare BINARY --artifacts FOLDER

Checks: the widget (picture, refresh, audio, proof of work, form values,
keyboard, languages), the demo's register and login end to end, the
JavaScript unscrambler (the format's test vectors, keys, errors, PNG, BMP and
JPEG restored to the original's pixels), no console errors, and axe-core's
WCAG 2.2 A/AA rules on every page. Screenshots of the pages go to FOLDER.
"""
import argparse
import base64
import gzip
import hashlib
import importlib.util
import io
import json
import os
import pathlib
import random
import re
import subprocess
import sys
import tempfile
import unittest
import urllib.parse
import urllib.request

from PIL import Image, ImageDraw
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parent.parent
BASE = ""
UPARE = ""
ARTIFACTS = pathlib.Path(".")
driver = None
work = None


def setUpModule():
    global driver, work
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                     "--autoplay-policy=no-user-gesture-required", "--disable-gpu"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_script_timeout(120)
    work = tempfile.TemporaryDirectory()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)


def tearDownModule():
    if driver:
        driver.quit()
    if work:
        work.cleanup()


def console_errors():
    """The SEVERE entries of the browser console since the last call."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def wait(condition, timeout=20, message=""):
    return WebDriverWait(driver, timeout).until(lambda _: condition(), message)


def shadow(widget, selector):
    return driver.execute_script("return arguments[0].shadowRoot.querySelector(arguments[1])", widget, selector)


def widget_value(widget):
    return driver.execute_script("return arguments[0].value", widget)


def open_page(path):
    driver.get(BASE + path)
    wait(lambda: driver.execute_script("return document.readyState") == "complete")


def screenshot(name):
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def api(name, fields=None):
    """POSTs form fields to the API outside the browser; the envelope."""
    data = urllib.parse.urlencode(fields or {}).encode()
    request = urllib.request.Request(f"{BASE}/api/{name}", data=data, method="POST")
    try:
        with urllib.request.urlopen(request) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        return json.load(error)


def photo(width, height, seed):
    """A picture with gradients, edges and noise, like a photo for a codec."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height))
    pixels = image.load()
    for y in range(height):
        for x in range(width):
            pixels[x, y] = ((x * 255) // width, (y * 255) // height, (x * y + rng.randrange(40)) % 256)
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        draw.ellipse([x0, y0, x0 + rng.randrange(10, 60), y0 + rng.randrange(10, 60)],
                     fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    return image


def picture_file(name, image, **save):
    path = pathlib.Path(work.name) / name
    image.save(path, **save)
    return path


class Widget(unittest.TestCase):
    def setUp(self):
        open_page("/presets")
        self.widget = driver.find_element(By.ID, "try-captcha")
        wait(lambda: widget_value(self.widget)["captcha_token"], message="the widget got a captcha_token")

    def tearDown(self):
        self.assertEqual(console_errors(), [])

    def test_shows_a_picture_and_refreshes(self):
        picture = shadow(self.widget, "img")
        self.assertTrue(picture.get_attribute("src").startswith("data:image/png;base64,"))
        wait(lambda: driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", picture) == 160)
        first = widget_value(self.widget)["captcha_token"]
        shadow(self.widget, '[data-action="refresh"]').click()
        wait(lambda: widget_value(self.widget)["captcha_token"] not in ("", first), message="a new token after refresh")
        self.assertNotEqual(picture.get_attribute("src"), "")
        screenshot("widget")

    def test_plays_the_challenge_as_wav(self):
        shadow(self.widget, '[data-action="listen"]').click()
        audio = shadow(self.widget, "audio")
        wait(lambda: (audio.get_attribute("src") or "").startswith("blob:"), message="the audio element got a clip")
        self.assertEqual(driver.execute_script("return arguments[0].dataset.type", audio), "audio/wav")
        # The clip decodes: the element reads its length (the page may not fetch blob: URLs).
        wait(lambda: driver.execute_script("return arguments[0].readyState >= 1 && arguments[0].duration > 1", audio),
             message="the WAV decoded, longer than a second")

    def test_form_carries_token_and_answer(self):
        field = shadow(self.widget, "input")
        field.send_keys("upare-test-pass")
        entries = driver.execute_script("return Array.from(new FormData(document.getElementById('try-form')).entries())")
        names = dict(entries)
        self.assertEqual(names["captcha"], "upare-test-pass")
        self.assertEqual(names["captcha_token"], widget_value(self.widget)["captcha_token"])
        driver.find_element(By.CSS_SELECTOR, "#try-form button[type=submit]").click()
        result = driver.find_element(By.ID, "try-result")
        wait(lambda: result.text, message="the server answered")
        self.assertIn("Right", result.text)

    def test_solves_a_proof_of_work(self):
        driver.execute_script("arguments[0].setAttribute('scenario', 'pow-demo')", self.widget)
        wait(lambda: widget_value(self.widget)["altcha"], timeout=60, message="the worker solved the proof of work")
        value = widget_value(self.widget)
        self.assertEqual(value["id"], "pow-demo")
        solution = json.loads(base64.b64decode(value["altcha"]))
        self.assertEqual(solution["algorithm"], "SHA-256")
        self.assertEqual(hashlib.sha256((solution["salt"] + str(solution["number"])).encode()).hexdigest(), solution["challenge"])
        # The server takes it once, with the test-mode answer, and refuses it again.
        fields = {"id": "pow-demo", "captcha_token": value["captcha_token"], "captcha": "upare-test-pass", "altcha": value["altcha"]}
        self.assertEqual(api("Image/captchaVerify", fields)["error_code"], 0)
        self.assertNotEqual(api("Image/captchaVerify", fields)["error_code"], 0)
        self.assertNotEqual(api("Image/captchaVerify", {**fields, "altcha": ""})["error_code"], 0)

    def test_keyboard_focus_and_languages(self):
        self.assertEqual(shadow(self.widget, '[data-action="refresh"]').text, "New picture")
        # Tab from the language select reaches the widget's controls in order.
        driver.find_element(By.ID, "language").click()
        driver.find_element(By.ID, "language").send_keys(Keys.ESCAPE)
        order = []
        for _ in range(4):
            driver.switch_to.active_element.send_keys(Keys.TAB)
            order.append(driver.execute_script(
                "const a = document.activeElement; const s = a.shadowRoot && a.shadowRoot.activeElement;"
                "return s ? (s.dataset.action || s.tagName.toLowerCase()) : a.id"))
        self.assertEqual(order[:3], ["refresh", "listen", "input"])
        # The focus is visible: an outline on the focused control.
        driver.execute_script("arguments[0].shadowRoot.querySelector('[data-action=refresh]').focus()", self.widget)
        first = widget_value(self.widget)["captcha_token"]
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        wait(lambda: widget_value(self.widget)["captcha_token"] not in ("", first), message="Enter on New picture refreshes")
        driver.switch_to.active_element.send_keys(Keys.SHIFT + Keys.TAB)
        driver.switch_to.active_element.send_keys(Keys.TAB)
        outline = driver.execute_script(
            "const b = arguments[0].shadowRoot.querySelector('[data-action=refresh]'); const s = getComputedStyle(b);"
            "return [b.matches(':focus-visible'), s.outlineStyle, s.outlineWidth]", self.widget)
        self.assertEqual(outline, [True, "solid", "3px"])
        # Labels for screen readers, in English and Chinese.
        self.assertTrue(shadow(self.widget, "img").get_attribute("alt"))
        label_for = driver.execute_script("return arguments[0].shadowRoot.querySelector('label').htmlFor", self.widget)
        self.assertEqual(label_for, shadow(self.widget, "input").get_attribute("id"))
        driver.execute_script("arguments[0].setAttribute('lang', 'zh')", self.widget)
        self.assertEqual(shadow(self.widget, '[data-action="refresh"]').text, "换一张")
        self.assertIn("验证码", shadow(self.widget, "img").get_attribute("alt"))
        screenshot("widget-zh")


class Demo(unittest.TestCase):
    def tearDown(self):
        self.assertEqual(console_errors(), [])

    def test_register_and_log_in(self):
        open_page("/")
        name = "ada%d" % random.randrange(10**6)
        form = driver.find_element(By.ID, "register-form")
        form.find_element(By.NAME, "username").send_keys(name)
        form.find_element(By.NAME, "password").send_keys("correct horse battery")
        form.find_element(By.NAME, "email").send_keys(f"{name}@example.com")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        result = driver.find_element(By.ID, "register-result")
        wait(lambda: result.text, message="registered")
        self.assertIn("created", result.text)

        widget = driver.find_element(By.ID, "login-captcha")
        wait(lambda: widget_value(widget)["captcha_token"], message="the login widget loaded")
        login = driver.find_element(By.ID, "login-form")
        login.find_element(By.NAME, "username").send_keys(name)
        login.find_element(By.NAME, "password").send_keys("correct horse battery")
        shadow(widget, "input").send_keys("upare-test-pass")
        screenshot("demo-login")
        login.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        answer = driver.find_element(By.ID, "login-result")
        wait(lambda: answer.text, message="logged in")
        self.assertIn(f"Welcome, {name}", answer.text)
        self.assertIn(name, driver.find_element(By.ID, "session-state").text)
        self.assertTrue(any(cookie["name"] == "upare_session" for cookie in driver.get_cookies()))
        screenshot("demo-logged-in")
        driver.find_element(By.ID, "logout").click()
        wait(lambda: driver.find_element(By.ID, "session-state").text == "Not logged in.")

    def test_presets_side_by_side(self):
        open_page("/presets")
        for difficulty in ["easy", "normal", "hard"]:
            pictures = driver.find_elements(By.CSS_SELECTOR, f'.samples[data-difficulty="{difficulty}"] img')
            self.assertEqual(len(pictures), 3)
            for picture in pictures:
                wait(lambda: driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", picture) == 160,
                     message=f"a {difficulty} sample loaded")
        screenshot("demo-presets")

    def test_pages_allow_only_their_own_scripts(self):
        for path in ["/", "/presets", "/disorder"]:
            with urllib.request.urlopen(BASE + path) as response:
                policy = response.headers["Content-Security-Policy"]
                page = response.read().decode()
            self.assertIn("script-src 'self'", policy)
            self.assertNotIn("unsafe-inline", policy)
            self.assertNotRegex(page, r"<script(?![^>]*\ssrc=)[^>]*>", f"{path} has an inline script")
            self.assertNotRegex(page, r"\son[a-z]+=", f"{path} has an inline event handler")
        # An inline script injected into the page is refused by the policy.
        open_page("/")
        ran = driver.execute_script(
            "const s = document.createElement('script'); s.textContent = 'window.inlineRan = true';"
            "document.head.append(s); return window.inlineRan === true")
        self.assertFalse(ran)
        refused = console_errors()
        self.assertTrue(any("Content Security Policy" in message for message in refused), refused)


class Unscrambler(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        open_page("/disorder")
        driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            import('/static/upare-disorder.js').then(m => { window.disorder = m; done(); });
        """)

    def tearDown(self):
        self.assertEqual(console_errors(), [])

    def run_js(self, body, *arguments):
        """Runs an async function body with `d` the module; returns its value or {error, code}."""
        return driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const d = window.disorder;
            (async (...args) => { %s })(...Array.from(arguments).slice(0, -1))
              .then(done, e => done({error: String(e.message || e), code: e.code || null}));
        """ % body, *arguments)

    def test_reproduces_the_format_test_vectors(self):
        text = (ROOT / "docs/disorder-format.md").read_text()
        vectors = re.findall(r"Header\s+`([0-9a-f]+)`\..*?Moves: `([^`]+)`", text, re.S)
        self.assertEqual(len(vectors), 4, "the document's four vectors")
        for header, expected in vectors:
            moves = self.run_js("""
                const [hex] = args;
                const header = d.parseHeader(Uint8Array.from(hex.match(/../g), h => parseInt(h, 16)));
                const key = Uint8Array.from({length: 32}, (_, i) => i);
                if (!(await d.keyMatches(key, header))) return 'key check failed';
                const plan = await d.planMoves(key, header);
                return plan.moves.map(m => `${m.target}<-${m.source} t${m.t} c${m.c}`);
            """, header)
            self.assertIsInstance(moves, list, moves)
            wanted = [m.strip() for m in expected.split(",")]
            if not any(" t" in m for m in wanted):  # the JPEG vector lists moves only (all t0 c0)
                wanted = [m + " t0 c0" for m in wanted]
            self.assertEqual(moves, wanted)

    def test_keys_as_the_cli_reads_them(self):
        raw = bytes(range(32))
        for text in [raw.hex(), "  " + raw.hex().upper() + "\n", base64.b64encode(raw).decode()]:
            self.assertEqual(self.run_js("return Array.from(await d.parseKey(args[0]))", text), list(raw))
        passphrase = "correct horse battery staple"
        expected = hashlib.scrypt(passphrase.encode(), salt=b"upare-disorder-v1 passphrase", n=1 << 15, r=8, p=1,
                                  maxmem=64 << 20, dklen=32)
        self.assertEqual(bytes(self.run_js("return Array.from(await d.parseKey(args[0]))", passphrase)), expected)
        self.assertEqual(self.run_js("return await d.parseKey('short')")["code"], "invalid_key")

    def scramble(self, path, *flags):
        """`upare disorder encrypt` of path with a fresh key; (scrambled bytes, key)."""
        key = os.urandom(32).hex()
        out = pathlib.Path(work.name) / "out"
        subprocess.run([UPARE, "disorder", "encrypt", "--out", str(out), "--overwrite", *flags, str(path)],
                       env={**os.environ, "UPARE_DISORDER_KEY": key}, check=True, capture_output=True)
        return (out / path.name).read_bytes(), key

    def compare(self, scrambled, original, key, block=16):
        """Unscrambles in the page and compares with the page's own decode of the original."""
        return self.run_js("""
            const [scrambled, original, key, block] = args.map((a, i) => i < 2 ? Uint8Array.from(atob(a), c => c.charCodeAt(0)) : a);
            const canvas = await d.unscramble(scrambled, key);
            const reference = await d.decodePicture(original);
            const draw = (source) => {
                const c = document.createElement('canvas'); c.width = source.width; c.height = source.height;
                const x = c.getContext('2d', {willReadFrequently: true}); x.drawImage(source, 0, 0);
                return x.getImageData(0, 0, c.width, c.height).data;
            };
            const a = draw(canvas), b = draw(reference);
            if (a.length !== b.length) return {error: 'sizes differ'};
            let differing = 0, largest = 0, total = 0, inside = 0;
            for (let i = 0; i < a.length; i += 4) {
                let d = 0;
                for (let c = 0; c < 3; c++) { const e = Math.abs(a[i + c] - b[i + c]); d = Math.max(d, e); total += e; }
                if (d) {
                    differing++;
                    // Not on the one-pixel ring along a block's edges.
                    const x = (i / 4) % canvas.width, y = Math.floor(i / 4 / canvas.width);
                    if (x % block !== 0 && x % block !== block - 1 && y % block !== 0 && y % block !== block - 1) inside++;
                }
                largest = Math.max(largest, d);
            }
            return {pixels: a.length / 4, differing, differingInside: inside, largest, mean: total / (a.length / 4 * 3), width: canvas.width};
        """, base64.b64encode(scrambled).decode(), base64.b64encode(original).decode(), key, block)

    def test_png_and_bmp_exactly(self):
        image = photo(203, 157, 1)
        for name, flags in [("photo.png", []), ("photo-channels.png", ["--shuffle-channels"]), ("photo.bmp", ["--shuffle-channels"]),
                            ("photo-32.png", ["--block-size", "32", "--no-rotate"])]:
            path = picture_file(name, image)
            scrambled, key = self.scramble(path, *flags)
            result = self.compare(scrambled, path.read_bytes(), key)
            self.assertEqual(result.get("differing"), 0, f"{name} {flags}: {result}")
            self.assertEqual(result["pixels"], 203 * 157)

    def test_jpeg_within_the_decoders_rounding(self):
        image = photo(203, 157, 2)
        figures = {}
        for name, sampling in [("photo-444.jpg", 0), ("photo-420.jpg", 2)]:
            path = picture_file(name, image, quality=90, subsampling=sampling)
            scrambled, key = self.scramble(path)
            result = self.compare(scrambled, path.read_bytes(), key)
            self.assertNotIn("error", result, result)
            figures[name] = result
        print("\nJPEG unscrambled in the page vs the page's decode of the original:", json.dumps(figures), file=sys.stderr)
        # 4:4:4: every MCU decodes alone, so the pixels are the same.
        self.assertEqual(figures["photo-444.jpg"]["differing"], 0, figures)
        # 4:2:0: the decoder's smooth ("fancy") chroma upsampling reads the
        # neighbouring MCU's chroma for the pixels along an MCU's edges, and
        # the neighbours moved: differences on that one-pixel ring only.
        self.assertEqual(figures["photo-420.jpg"]["differingInside"], 0, figures)

    def test_refuses_as_the_server_does(self):
        image = photo(64, 48, 3)
        path = picture_file("small.png", image)
        scrambled, _ = self.scramble(path)
        wrong = os.urandom(32).hex()
        cases = [(scrambled, wrong, "wrong_key"), (path.read_bytes(), wrong, "not_scrambled"), (b"GIF89a" + bytes(40), wrong, "unsupported")]
        for data, key, code in cases:
            result = self.run_js("""
                const [b64, key] = args;
                await d.unscramble(Uint8Array.from(atob(b64), c => c.charCodeAt(0)), key);
                return {code: 'none'};
            """, base64.b64encode(data).decode(), key)
            self.assertEqual(result["code"], code, result)

    def test_the_demo_page_round_trip(self):
        open_page("/disorder")
        path = picture_file("page.png", photo(120, 90, 4))
        driver.find_element(By.ID, "picture").send_keys(str(path))
        driver.find_element(By.ID, "make-key").click()
        self.assertEqual(len(driver.find_element(By.ID, "key").get_attribute("value")), 64)
        driver.find_element(By.ID, "scramble").click()
        wait(lambda: driver.find_element(By.ID, "unscramble").is_enabled(), message="scrambled by the server")
        driver.find_element(By.ID, "unscramble").click()
        result = driver.find_element(By.ID, "compare-result")
        wait(lambda: result.get_attribute("data-differing") is not None or result.get_attribute("data-error"), message="compared")
        self.assertEqual(result.get_attribute("data-differing"), "0", result.text)
        screenshot("demo-disorder")
        # Reload the module for the other tests of this class.
        self.setUpClass()


class Accessibility(unittest.TestCase):
    """axe-core's WCAG 2.0-2.2 A and AA rules (contrast, names, labels, landmarks) on each page."""

    @classmethod
    def setUpClass(cls):
        spec = importlib.util.find_spec("axe_playwright_python")
        cls.axe = (pathlib.Path(spec.submodule_search_locations[0]) / "axe.min.js").read_text()

    def tearDown(self):
        self.assertEqual(console_errors(), [])

    def test_pages_pass_axe(self):
        for path in ["/", "/presets", "/disorder"]:
            open_page(path)
            if path != "/disorder":
                widget = driver.find_element(By.TAG_NAME, "upare-captcha")
                wait(lambda: widget_value(widget)["captcha_token"])
            # Injected through the DevTools protocol, which the page's policy does not govern.
            driver.execute_script(self.axe)
            result = driver.execute_async_script("""
                const done = arguments[arguments.length - 1];
                axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})
                  .then(r => done({violations: r.violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))})),
                                   passes: r.passes.map(p => p.id)}), e => done({error: String(e)}));
            """)
            self.assertNotIn("error", result, result)
            self.assertEqual(result["violations"], [], f"{path}: {result['violations']}")
            self.assertIn("color-contrast", result["passes"], f"{path}: contrast was checked")
            screenshot("page" + (path.replace("/", "-") if path != "/" else "-index"))


class Files(unittest.TestCase):
    def test_widget_and_worker_under_10_kb_gzipped(self):
        sizes = {}
        for name in ["upare-captcha.js", "upare-pow-worker.js"]:
            with urllib.request.urlopen(f"{BASE}/static/{name}") as response:
                body = response.read()
                self.assertTrue(response.headers["Content-Type"].startswith("text/javascript"))
            self.assertEqual(body, (ROOT / "web/site/static" / name).read_bytes(), "served as committed")
            sizes[name] = len(gzip.compress(body, 9))
        self.assertLess(sum(sizes.values()), 10 * 1024, sizes)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--upare", required=True)
    parser.add_argument("--artifacts", default=".build/browser-artifacts")
    arguments, rest = parser.parse_known_args()
    BASE, UPARE, ARTIFACTS = arguments.base.rstrip("/"), os.path.abspath(arguments.upare), pathlib.Path(arguments.artifacts)
    unittest.main(argv=[sys.argv[0], "-v", *rest])
