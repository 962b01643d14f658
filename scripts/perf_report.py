#!/usr/bin/env python3
"""The body of scripts/perf-report: run upare's benchmarks beside their anchors
in one sitting and write Benchmarks/REPORT.md (ratios, each with its command)
and Benchmarks/report-http.png (captchas/s and p99 against connections)."""
import argparse
import datetime
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

UPARE = os.environ.get("UPARE_BIN", ".build/release/upare")

PNG_FLOOR_C = r"""
/* A plain libpng encode of raw RGB: zlib level and filters as given, the time
   of png_write_* alone (no file I/O), in milliseconds on stdout. */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
struct sink { unsigned char *data; size_t size, capacity; };
static void put(png_structp png, png_bytep bytes, png_size_t n) {
    struct sink *s = png_get_io_ptr(png);
    if (s->size + n > s->capacity) { s->capacity = (s->size + n) * 2; s->data = realloc(s->data, s->capacity); }
    for (size_t i = 0; i < n; i++) s->data[s->size + i] = bytes[i];
    s->size += n;
}
static void flush(png_structp png) { (void)png; }
int main(int argc, char **argv) {
    int width = atoi(argv[2]), height = atoi(argv[3]), level = atoi(argv[4]), all = atoi(argv[5]);
    size_t count = (size_t)width * height * 3;
    unsigned char *rgb = malloc(count);
    FILE *f = fopen(argv[1], "rb");
    if (!f || fread(rgb, 1, count, f) != count) return 1;
    fclose(f);
    struct sink s = {0};
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) return 2;
    png_set_write_fn(png, &s, put, flush);
    png_set_compression_level(png, level);
    png_set_filter(png, 0, all ? PNG_ALL_FILTERS : PNG_FILTER_NONE);
    png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < height; y++) png_write_row(png, rgb + (size_t)y * width * 3);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%.1f %zu\n", (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6, s.size);
    return 0;
}
"""

PILLOW_SHUFFLE = r"""
import sys, numpy as np
from PIL import Image
source, target, block = sys.argv[1], sys.argv[2], 16
pixels = np.asarray(Image.open(source).convert("RGB"))
h, w = pixels.shape[0] // block * block, pixels.shape[1] // block * block
grid = pixels[:h, :w].reshape(h // block, block, w // block, block, 3).swapaxes(1, 2).reshape(-1, block, block, 3)
order = np.random.default_rng(7).permutation(len(grid))
out = pixels.copy()
out[:h, :w] = grid[order].reshape(h // block, w // block, block, block, 3).swapaxes(1, 2).reshape(h, w, 3)
Image.fromarray(out).save(target)
"""

WRK_LUA = r"""
local cookie = nil
response = function(status, headers, body)
  if headers["Set-Cookie"] and not cookie then cookie = headers["Set-Cookie"]:match("^[^;]+") end
end
request = function()
  local headers = {}
  if cookie then headers["Cookie"] = cookie end
  return wrk.format("GET", wrk.path, headers)
end
done = function(summary, latency, requests)
  io.write(string.format('JSON {"requests": %d, "seconds": %f, "errors": %d, "p50": %f, "p99": %f, "p999": %f}\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000))
end
"""


def upare_json(*args):
    out = subprocess.run([UPARE, *args, "--json"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def wall(command, repeats, **kwargs):
    """Median wall-clock seconds of a command (a fresh process each time)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Report:
    def __init__(self):
        self.rows = []  # (section, measurement, upare, anchor, ratio, command)

    def add(self, section, what, ours, theirs, ratio, command):
        self.rows.append((section, what, ours, theirs, ratio, command))
        print(f"{section}: {what}: {ours} | {theirs} | {ratio}", file=sys.stderr)


def captcha_section(report, seconds):
    upare = upare_json("bench", "captcha", "--seconds", str(seconds))
    from captcha.image import ImageCaptcha
    import random
    generator = ImageCaptcha(width=160, height=60)
    random.seed(1)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        text = "".join(random.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(4))
        generator.generate(text, format="png")
        count += 1
    lepture = count / (time.perf_counter() - start)
    report.add("captcha", "160x60 PNG captchas/s, 1 thread (lepture/captcha: one Python process)",
               f"{upare['single_per_second']:,.0f}/s", f"{lepture:,.0f}/s", f"{upare['single_per_second'] / lepture:.1f}x",
               f"upare bench captcha --seconds {seconds}; ImageCaptcha(160, 60).generate() in a loop")
    report.add("captcha", f"the same on {upare.get('threads', 2)} threads (against one)",
               f"{upare['parallel_per_second']:,.0f}/s", f"{upare['single_per_second']:,.0f}/s", f"{upare['scaling']:.2f}x",
               f"upare bench captcha --seconds {seconds}")


def picture_section(report, work, repeats):
    from PIL import Image
    # A 12-megapixel photo with a camera's noise: gradients blended with noise.
    channels = []
    for k, sigma in enumerate((30, 40, 50)):
        noise = Image.effect_noise((4000, 3000), sigma)
        ramp = Image.linear_gradient("L").resize((4000, 3000)).rotate(90 * k).resize((4000, 3000))
        channels.append(Image.blend(noise, ramp, 0.5))
    photo = Image.merge("RGB", channels)
    png, jpg, raw = f"{work}/photo.png", f"{work}/photo.jpg", f"{work}/photo.rgb"
    photo.save(png)
    photo.save(jpg, quality=85)
    with open(raw, "wb") as f:
        f.write(photo.tobytes())
    key = f"{work}/k.key"
    with open(key, "w") as f:
        f.write(os.urandom(32).hex())
    out = f"{work}/out"

    def scramble(path, threads, level="fast"):
        shutil.rmtree(out, ignore_errors=True)
        return [UPARE, "disorder", "encrypt", "--key-file", key, "--out", out, "--overwrite", "--threads", str(threads),
                "--png-compression", level, path]

    pillow = wall([sys.executable, "-c", PILLOW_SHUFFLE, png, f"{work}/pillow.png"], repeats)
    for threads in (1, 2):
        ours = wall(scramble(png, threads), repeats)
        size = os.path.getsize(f"{out}/photo.png") / os.path.getsize(png)
        report.add("disorder", f"12 MP noisy photo PNG ({os.path.getsize(png) / 1e6:.1f} MB), whole CLI run, {threads} thread{'s' if threads > 1 else ''}; output {size:.3f} of the input",
                   f"{ours:.2f} s", f"{pillow:.2f} s", f"{pillow / ours:.1f}x faster",
                   f"upare disorder encrypt --threads {threads} photo.png; Pillow + numpy 16-px block shuffle, save")
    ours = wall(scramble(jpg, 1), repeats)
    jpegtran = wall(["jpegtran", "-copy", "all", "-rotate", "180", "-outfile", f"{work}/rotated.jpg", jpg], repeats)
    report.add("disorder", "12 MP JPEG, whole CLI run (fsync and atomic rename; jpegtran does neither)",
               f"{ours:.2f} s", f"{jpegtran:.2f} s", f"{ours / jpegtran:.2f}x the time",
               "upare disorder encrypt photo.jpg; jpegtran -copy all -rotate 180")

    floor = f"{work}/png_floor"
    with open(f"{floor}.c", "w") as f:
        f.write(PNG_FLOOR_C)
    subprocess.run(["gcc", "-O2", "-o", floor, f"{floor}.c", "-lpng"], check=True)
    floors = {}
    for level, filters in ((6, 1), (1, 0)):
        runs = [subprocess.run([floor, raw, "4000", "3000", str(level), str(filters)], capture_output=True, text=True, check=True)
                .stdout.split() for _ in range(max(1, repeats // 2))]
        floors[level] = (statistics.median(float(r[0]) for r in runs), int(runs[0][1]))
    bench = upare_json("bench", "disorder", "--input", jpg, "--repeats", str(repeats), "--levels", "fast", "default")
    for name, key_ in (("fast, 2 threads", "png_encode_fast_2t"), ("fast, 1 thread", "png_encode_fast_1t"),
                       ("default, 1 thread", "png_encode_default_1t")):
        ms, size = bench[key_ + "_ms"], bench[key_ + "_bytes"]
        report.add("PNG encode", f"12 MP (the photo as decoded from its JPEG), upare {name} vs C libpng zlib 6, all filters ({floors[6][1] / 1e6:.1f} MB)",
                   f"{ms:.0f} ms, {size / 1e6:.1f} MB", f"{floors[6][0]:.0f} ms", f"{floors[6][0] / ms:.1f}x faster",
                   f"upare bench disorder --input photo.jpg; libpng png_write_row loop (gcc -O2)")
    report.add("PNG encode", "C libpng zlib 1, no filter (the fastest plain libpng)", f"{bench['png_encode_fast_1t_ms']:.0f} ms",
               f"{floors[1][0]:.0f} ms, {floors[1][1] / 1e6:.1f} MB", f"{floors[1][0] / bench['png_encode_fast_1t_ms']:.1f}x faster",
               "the same C program, level 1, PNG_FILTER_NONE")
    report.add("PNG decode", "12 MP, direct reader vs libpng (both in upare)", f"{bench['png_decode_ms']:.0f} ms",
               f"{bench['png_decode_libpng_ms']:.0f} ms", f"{bench['png_decode_libpng_ms'] / bench['png_decode_ms']:.1f}x faster",
               "upare bench disorder --input photo.jpg")
    report.add("batch", "3 MP JPEG scrambles in memory, 2 threads against 1, alternating rounds",
               f"median {bench['batch_scaling']:.2f}x", f"lowest {bench['batch_scaling_lowest']:.2f}x", "", "upare bench disorder")


def http_section(report, seconds, connections):
    if not shutil.which("wrk"):
        print("wrk is missing: no HTTP figures", file=sys.stderr)
        return {}
    results = {}
    databases = [("SQLite", None)]
    if os.environ.get("UPARE_TEST_POSTGRES"):
        databases.append(("PostgreSQL", os.environ["UPARE_TEST_POSTGRES"]))
    for name, url in databases:
        with tempfile.TemporaryDirectory() as work:
            port = free_port()
            # A fixed secret, so that every run draws the same keyed style (see scripts/http-bench).
            env = dict(os.environ, UPARE_RATE_LIMITS="off", UPARE_SECRET="upare-http-benchmark-secret-not-for-production")
            server = subprocess.Popen([UPARE, "serve", "--port", str(port), "--database", url or f"{work}/bench.sqlite"],
                                      env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                for _ in range(100):
                    try:
                        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                        break
                    except OSError:
                        time.sleep(0.1)
                lua = f"{work}/session.lua"
                with open(lua, "w") as f:
                    f.write(WRK_LUA)
                for c in connections:
                    out = subprocess.run(["wrk", "-t2", f"-c{c}", f"-d{seconds}s", "-s", lua,
                                          f"http://127.0.0.1:{port}/api/Image/captcha?id=bench"],
                                         capture_output=True, text=True, check=True).stdout
                    line = next(l for l in out.splitlines() if l.startswith("JSON "))
                    figures = json.loads(line[5:])
                    figures["rate"] = figures["requests"] / figures["seconds"]
                    results[(name, c)] = figures
                    report.add("HTTP", f"Image/captcha on {name}, {c} connections: p50 / p99 / p99.9 "
                                       f"{figures['p50']:.2f} / {figures['p99']:.2f} / {figures['p999']:.2f} ms, {figures['errors']} errors",
                               f"{figures['rate']:,.0f} req/s", "", "",
                               f"wrk -t2 -c{c} -d{seconds}s (a session cookie per connection), upare serve, rate limits off")
            finally:
                server.terminate()
                server.wait()
    return results


def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    figure, (rate_axis, tail_axis) = plt.subplots(1, 2, figsize=(10, 4))
    for name in sorted({n for n, _ in results}):
        points = sorted((c, r) for (n, c), r in results.items() if n == name)
        xs = [c for c, _ in points]
        (line,) = rate_axis.plot(xs, [r["rate"] for _, r in points], marker="o", label=name)
        colour = line.get_color()
        tail_axis.plot(xs, [r["p99"] for _, r in points], marker="o", color=colour, label=f"{name} p99")
        tail_axis.plot(xs, [r["p999"] for _, r in points], marker="x", linestyle="--", color=colour, label=f"{name} p99.9")
    rate_axis.set(title="Image/captcha throughput", xlabel="connections", ylabel="captchas/s")
    tail_axis.set(title="Image/captcha tail latency", xlabel="connections", ylabel="ms")
    for axis in (rate_axis, tail_axis):
        axis.grid(True, alpha=0.3)
        axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="shorter runs (a smoke test of the script)")
    parser.add_argument("--out", default="Benchmarks/REPORT.md")
    args = parser.parse_args()
    seconds, repeats, http_seconds = (1, 1, 2) if args.quick else (3, 5, 10)
    report = Report()
    with tempfile.TemporaryDirectory() as work:
        captcha_section(report, seconds)
        picture_section(report, work, repeats)
    results = http_section(report, http_seconds, [16, 32, 64])
    plot_path = os.path.join(os.path.dirname(args.out), "report-http.png")
    if results:
        plot(results, plot_path)
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    version = subprocess.run([UPARE, "--version"], capture_output=True, text=True).stdout.strip()
    lines = [
        "# Performance report",
        "",
        f"Made by `scripts/perf-report{' --quick' if args.quick else ''}` on {datetime.date.today()}, in one sitting on one machine "
        f"({os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}; {version}). "
        "Each ratio compares two figures of this run; absolute figures move with the machine's load.",
        "",
        "| area | measurement | upare | beside it | ratio | command |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for section, what, ours, theirs, ratio, command in report.rows:
        lines.append(f"| {section} | {what} | {ours} | {theirs} | {ratio} | `{command}` |")
    if results:
        lines += ["", f"![captchas/s and p99 against connections]({os.path.basename(plot_path)})"]
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
