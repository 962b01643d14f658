#!/usr/bin/env python3
"""How well a cheap, trained attacker reads upare's captchas.

An attacker has the open-source generator, so they can make unlimited labelled
captchas and train on them (Kerckhoffs). This script is that attacker:

1. it makes N labelled images with `upare captcha` (options passed through);
2. it trains a CRNN with CTC loss on them for a fixed CPU budget, with
   augmentation, and reports the exact-match solve rate on fresh images at 5,
   10 and 20 minutes and after every epoch;
3. it tests the final model on other option sets (transfer: another style key,
   another difficulty);
4. it runs ddddocr, the free pretrained solver, on fresh images: both bundled
   models, and the default model restricted to the captcha's alphabet, on the
   original picture and on greyscale, each channel, an Otsu threshold, a 3x3
   median and a 3x3 closing (filters that close thin gaps).

Run through `scripts/solver-check`, which makes the venv and builds upare.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

UPARE = os.environ.get("UPARE_BIN", ".build/release/upare")


# ---------------------------------------------------------------- data

def generate(folder: Path, count: int, options: list[str], seed: int) -> list[Path]:
    """Writes `count` labelled captchas (`<answer>_<n>.png`) and returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([UPARE, "captcha", "--count", str(count), "--out", str(folder), "--seed", str(seed), *options],
                   check=True, stdout=subprocess.DEVNULL)
    return sorted(folder.glob("*.png"))


def label_of(path: Path) -> str:
    return path.name.rsplit("_", 1)[0].upper()


def load(paths: list[Path], height: int) -> tuple[np.ndarray, list[str]]:
    """Greyscale pixels (N, height, W) as uint8, ink bright, and the labels.
    Scaled down to `height` rows: at 32 a 60-row captcha keeps strokes of 1.5
    pixels and trains four times faster than at full size (measured)."""
    images, labels = [], []
    for path in paths:
        picture = Image.open(path).convert("L")
        width = max(16, round(picture.width * height / picture.height / 4) * 4)
        grey = np.asarray(picture.resize((width, height), Image.BILINEAR), dtype=np.uint8)
        # The ink may be darker or lighter than the background: make it bright.
        if np.median(grey) > 127:
            grey = 255 - grey
        images.append(grey)
        labels.append(label_of(path))
    return np.stack(images), labels


# ---------------------------------------------------------------- solver

def build_model(torch, classes: int, height: int):
    nn = torch.nn

    def block(cin, cout, pool):
        layers = [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
        if pool:
            layers.append(nn.MaxPool2d(pool))
        return layers

    class CRNN(nn.Module):
        """Conv features (height pooled to 2 rows, width halved: one step per
        2 input columns), a two-layer BiGRU, CTC."""

        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                *block(1, 32, (2, 2)),
                *block(32, 64, (2, 1)),
                *block(64, 96, (2, 1)),
                *block(96, 128, (2, 1)),
                nn.Dropout2d(0.1),
            )
            rows = height // 16
            self.project = nn.Linear(128 * rows, 192)
            self.rnn = nn.GRU(192, 128, num_layers=2, bidirectional=True, batch_first=True, dropout=0.1)
            self.out = nn.Linear(256, classes)

        def forward(self, x):
            f = self.features(x)  # (B, C, H', W')
            b, c, h, w = f.shape
            f = f.permute(0, 3, 1, 2).reshape(b, w, c * h)
            f = torch.relu(self.project(f))
            f, _ = self.rnn(f)
            return self.out(f)  # (B, T, classes)

    return CRNN()


def augment(torch, batch):
    """Cheap augmentation a careful attacker uses: shifts, contrast and noise."""
    b, _, h, w = batch.shape
    dx = int(np.random.randint(-2, 3))
    dy = int(np.random.randint(-2, 3))
    batch = torch.roll(batch, shifts=(dy, dx), dims=(2, 3))
    gain = torch.empty(b, 1, 1, 1).uniform_(0.75, 1.25)
    batch = batch * gain + torch.randn_like(batch) * 0.04
    return batch


def decode(logits, alphabet: str) -> list[str]:
    """Greedy CTC: argmax per step, collapse repeats, drop blanks (index 0)."""
    best = logits.argmax(-1).cpu().numpy()
    texts = []
    for row in best:
        chars, previous = [], 0
        for k in row:
            if k != previous and k != 0:
                chars.append(alphabet[k - 1])
            previous = k
        texts.append("".join(chars))
    return texts


def solve_rate(torch, model, images: np.ndarray, labels: list[str], alphabet: str) -> float:
    model.eval()
    hits = 0
    with torch.no_grad():
        for start in range(0, len(images), 256):
            x = torch.from_numpy(images[start:start + 256]).float().unsqueeze(1) / 255.0
            guesses = decode(model(x), alphabet)
            hits += sum(g == l for g, l in zip(guesses, labels[start:start + 256]))
    model.train()
    return hits / len(images)


def train(args, train_set, test_sets, log):
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    np.random.seed(1)
    images, labels = train_set
    alphabet = "".join(sorted(set("".join(labels)) | set("".join(l for _, (_, ls) in test_sets.items() for l in ls))))
    index = {c: i + 1 for i, c in enumerate(alphabet)}
    height = images.shape[1]
    model = build_model(torch, len(alphabet) + 1, height)
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    ctc = torch.nn.CTCLoss(blank=0, zero_infinity=True)
    # The budget is minutes of training, or with --steps a number of optimiser
    # steps: steps give the same result however busy the machine is, so runs
    # made on different days (or beside other work) stay comparable.
    by_steps = args.steps > 0
    budget = float(args.steps) if by_steps else args.minutes * 60
    if by_steps:
        checkpoints = [budget / 4, budget / 2]
    else:
        checkpoints = [m * 60 for m in (5, 10, 20, 40) if m * 60 <= budget]
    if budget not in checkpoints:
        checkpoints.append(budget)
    reports = []
    trained = 0.0
    epoch = 0
    steps = 0
    main_test = next(iter(test_sets.values()))

    def used():
        return steps if by_steps else trained

    def report(kind):
        rate = solve_rate(torch, model, main_test[0], main_test[1], alphabet)
        entry = {"kind": kind, "minutes": round(trained / 60, 2), "epoch": epoch, "steps": steps, "rate": rate}
        reports.append(entry)
        log(f"  {kind:>10}: {trained / 60:5.1f} min, epoch {epoch}, {steps} steps: solves {rate:.1%}")

    count = len(images)
    while used() < budget:
        order = np.random.permutation(count)
        for start in range(0, count - args.batch + 1, args.batch):
            began = time.process_time() if args.cpu_time else time.monotonic()
            # A one-cycle schedule over the whole budget: warm up, then cosine down.
            progress = used() / budget
            warm = 0.05
            lr = args.lr * (progress / warm if progress < warm else 0.5 * (1 + math.cos(math.pi * (progress - warm) / (1 - warm))))
            for group in optimiser.param_groups:
                group["lr"] = max(lr, args.lr * 0.01)
            chosen = order[start:start + args.batch]
            x = torch.from_numpy(images[chosen]).float().unsqueeze(1) / 255.0
            x = augment(torch, x)
            targets = [torch.tensor([index[c] for c in labels[i]]) for i in chosen]
            target_lengths = torch.tensor([len(t) for t in targets])
            logits = model(x)
            log_probs = logits.log_softmax(-1).permute(1, 0, 2)  # (T, B, C)
            input_lengths = torch.full((len(chosen),), log_probs.shape[0], dtype=torch.long)
            loss = ctc(log_probs, torch.cat(targets), input_lengths, target_lengths)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimiser.step()
            steps += 1
            elapsed = (time.process_time() - began) / args.threads if args.cpu_time else time.monotonic() - began
            trained += elapsed
            while checkpoints and used() >= checkpoints[0]:
                checkpoints.pop(0)
                report(f"{steps} steps" if by_steps else f"{round(trained / 60)} min")
            if used() >= budget:
                break
        else:
            epoch += 1
            report("epoch")
            continue
        break
    final = {}
    for name, (test_images, test_labels) in test_sets.items():
        final[name] = solve_rate(torch, model, test_images, test_labels, alphabet)
        log(f"  final on {name}: solves {final[name]:.1%}")
    return {"reports": reports, "final": final, "alphabet": alphabet}


# ---------------------------------------------------------------- ddddocr

def views(path: Path) -> dict[str, bytes]:
    """The picture as an attacker would feed it: original and preprocessed."""
    original = path.read_bytes()
    image = Image.open(io.BytesIO(original)).convert("RGB")
    result = {"original": original}

    def png(im):
        buffer = io.BytesIO()
        im.save(buffer, format="PNG")
        return buffer.getvalue()

    grey = image.convert("L")
    result["grey"] = png(grey)
    for name, channel in zip("RGB", image.split()):
        result[f"channel {name}"] = png(channel)
    values = np.asarray(grey)
    threshold = otsu(values)
    ink_dark = np.median(values) > 127
    binary = (values < threshold) if ink_dark else (values > threshold)
    result["threshold"] = png(Image.fromarray(np.where(binary, 0, 255).astype(np.uint8)))
    # Filters that close thin gaps (cuts, stripes): an attacker's first try.
    result["median 3x3"] = png(grey.filter(ImageFilter.MedianFilter(3)))
    # Closing of dark ink: the darkest of each 3x3 (ink grows), then the lightest.
    dark = grey.filter(ImageFilter.MinFilter(3)) if ink_dark else grey.filter(ImageFilter.MaxFilter(3))
    result["closing 3x3"] = png(dark.filter(ImageFilter.MaxFilter(3)) if ink_dark else dark.filter(ImageFilter.MinFilter(3)))
    return result


def otsu(values: np.ndarray) -> int:
    histogram = np.bincount(values.ravel(), minlength=256).astype(float)
    total = histogram.sum()
    levels = np.arange(256)
    best, best_t = -1.0, 128
    weight_b = 0.0
    sum_b = 0.0
    sum_all = (levels * histogram).sum()
    for t in range(256):
        weight_b += histogram[t]
        if weight_b == 0 or weight_b == total:
            continue
        sum_b += t * histogram[t]
        mean_b = sum_b / weight_b
        mean_f = (sum_all - sum_b) / (total - weight_b)
        between = weight_b * (total - weight_b) * (mean_b - mean_f) ** 2
        if between > best:
            best, best_t = between, t
    return best_t


def ddddocr_rates(paths: list[Path], alphabet: str, log) -> dict[str, dict[str, float]]:
    import contextlib
    with contextlib.redirect_stdout(io.StringIO()):
        import ddddocr
        default = ddddocr.DdddOcr(show_ad=False)
        beta = ddddocr.DdddOcr(show_ad=False, beta=True)
        restricted = ddddocr.DdddOcr(show_ad=False)

    # ddddocr's own set_ranges only drops characters after the argmax; a fair
    # restriction takes the argmax over the allowed characters and the blank.
    allowed: list[int] | None = None

    def restricted_read(data: bytes) -> str:
        nonlocal allowed
        result = restricted.classification(data, probability=True)
        charset = result["charset"]
        if allowed is None:
            wanted = set(alphabet + alphabet.lower())
            allowed = [0] + [k for k, c in enumerate(charset) if c in wanted]
        steps = np.asarray(result["probabilities"], dtype=np.float32).reshape(-1, len(charset))
        best = np.asarray(allowed)[steps[:, allowed].argmax(axis=1)]
        chars, previous = [], None
        for k in best:
            if k != previous and k != 0:
                chars.append(charset[k])
            previous = k
        return "".join(chars)

    readers = {
        "default": default.classification,
        "beta": beta.classification,
        "default, alphabet only": restricted_read,
    }
    hits: dict[str, dict[str, int]] = {}
    for path in paths:
        label = label_of(path)
        for view, data in views(path).items():
            for name, read in readers.items():
                text = read(data).strip().upper()
                hits.setdefault(name, {}).setdefault(view, 0)
                hits[name][view] += text == label
    rates = {name: {view: count / len(paths) for view, count in by_view.items()} for name, by_view in hits.items()}
    for name, by_view in rates.items():
        line = ", ".join(f"{view} {rate:.1%}" for view, rate in by_view.items())
        log(f"  ddddocr {name}: {line}")
    return rates


# ---------------------------------------------------------------- contact sheet

def contact_sheet(folder: Path, options: list[str], target: Path, log) -> None:
    """24 fresh captchas in a 4 x 6 grid, unlabelled (read them before looking
    at the answers, which are printed in the same order)."""
    paths = generate(folder, 24, options, seed=700_000_000)
    paths.sort(key=lambda p: int(p.stem.rsplit("_", 1)[1]))
    pictures = [Image.open(p).convert("RGB") for p in paths]
    w, h = pictures[0].size
    gap = 6
    sheet = Image.new("RGB", (4 * w + 5 * gap, 6 * h + 7 * gap), "white")
    for k, picture in enumerate(pictures):
        sheet.paste(picture, (gap + (k % 4) * (w + gap), gap + (k // 4) * (h + gap)))
    sheet.save(target)
    answers = [label_of(p) for p in paths]
    log(f"  contact sheet {target}; answers row by row: " +
        " | ".join(" ".join(answers[r * 4:(r + 1) * 4]) for r in range(6)))


# ---------------------------------------------------------------- main

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=40_000, help="training images (default 40000)")
    parser.add_argument("--minutes", type=float, default=20, help="training budget in minutes (default 20)")
    parser.add_argument("--test-count", type=int, default=1000, help="fresh test images (default 1000)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2, help="CPU threads for training")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--height", type=int, default=32, help="rows the solver scales pictures to (default 32)")
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--steps", type=int, default=0, metavar="N",
                        help="train for N optimiser steps instead of --minutes (reports at a quarter, a half "
                             "and all of them); about 3,500 steps are 20 minutes on a quiet 2-core machine")
    parser.add_argument("--cpu-time", action="store_true",
                        help="count CPU time (divided by threads) instead of wall time")
    parser.add_argument("--train", action="append", default=[], metavar="OPTIONS",
                        help="upare captcha options for training; repeat to train on a mixture (split evenly)")
    parser.add_argument("--test", action="append", default=[], metavar="NAME=OPTIONS",
                        help="an extra option set to test the final model on (transfer); repeatable")
    parser.add_argument("--ddddocr", type=int, default=300, metavar="N",
                        help="images for the ddddocr check (0 skips it; default 300)")
    parser.add_argument("--no-train", action="store_true", help="only the ddddocr check")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--sheet", metavar="FILE.png", help="also write a contact sheet of 24 samples")
    parser.add_argument("options", nargs=argparse.REMAINDER,
                        help="after --: upare captcha options for the main set (train and test)")
    args = parser.parse_args()
    main_options = [o for o in args.options if o != "--"]
    lines: list[str] = []

    def log(text):
        print(text, flush=True)
        lines.append(text)

    results: dict = {"options": " ".join(main_options)}
    with tempfile.TemporaryDirectory(prefix="solver-check-") as scratch:
        root = Path(scratch)
        log(f"options: {' '.join(main_options) or '(defaults)'}")
        test_paths = generate(root / "test", args.test_count, main_options, seed=900_000_000)
        sizes = [p.stat().st_size for p in test_paths]
        results["bytes"] = sum(sizes) / len(sizes)
        log(f"  {results['bytes']:.0f} bytes per captcha on average")
        if args.sheet:
            contact_sheet(root / "sheet", main_options, Path(args.sheet), log)
        if args.ddddocr > 0:
            alphabet = "".join(sorted(set("".join(label_of(p) for p in test_paths))))
            results["ddddocr"] = ddddocr_rates(test_paths[: args.ddddocr], alphabet, log)
        if not args.no_train:
            mixture = [shlex.split(t) for t in args.train] or [main_options]
            paths: list[Path] = []
            share = args.count // len(mixture)
            for k, options in enumerate(mixture):
                paths += generate(root / f"train{k}", share, options, seed=1 + k * 10_000_000)
            budget = f"{args.steps} steps" if args.steps > 0 else f"{args.minutes:g} min"
            log(f"  training on {len(paths)} images from {len(mixture)} option set(s) for {budget}")
            test_sets = {"main": load(test_paths, args.height)}
            for k, spec in enumerate(args.test):
                name, _, options = spec.partition("=")
                extra = generate(root / f"extra{k}", args.test_count, shlex.split(options), seed=800_000_000 + k)
                test_sets[name] = load(extra, args.height)
            results["solver"] = train(args, load(paths, args.height), test_sets, log)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
