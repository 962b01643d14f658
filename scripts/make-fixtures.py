#!/usr/bin/env python3
"""Makes the codec fixtures under Tests/RasterTests/Fixtures once, with encoders
independent of upare (Pillow from PyPI, ImageMagick's `convert` from Debian).

Each fixture comes with the pixels Pillow decodes from it, as raw RGBA bytes,
and a line in manifest.json saying how exactly upare must match them. Run it
again only to add fixtures; the committed files are what the tests use.
"""
import json
import os
import struct
import subprocess
import sys

from PIL import Image

out = os.path.join(os.path.dirname(__file__), "..", "Tests", "RasterTests", "Fixtures")
os.makedirs(out, exist_ok=True)
manifest = []


def source(width=37, height=23, alpha=False):
    """A gradient with a few hard edges: odd sizes exercise row padding."""
    im = Image.new("RGBA", (width, height))
    px = im.load()
    for y in range(height):
        for x in range(width):
            r = (x * 255) // (width - 1)
            g = (y * 255) // (height - 1)
            b = 255 if (x // 5 + y // 5) % 2 else 40
            a = 255 if not alpha else (x * 7 + y * 11) % 256
            px[x, y] = (r, g, b, a)
    return im


def record(name, tolerance=0, expect="pixels", expected_image=None):
    """Writes the Pillow-decoded pixels of `name` next to it and notes it."""
    entry = {"file": name, "expect": expect, "tolerance": tolerance}
    if expect == "pixels":
        im = expected_image if expected_image is not None else Image.open(os.path.join(out, name))
        rgba = im.convert("RGBA")
        raw = name + ".rgba"
        with open(os.path.join(out, raw), "wb") as f:
            f.write(rgba.tobytes())
        entry.update(width=rgba.width, height=rgba.height, pixels=raw)
    manifest.append(entry)


def magick(args, name, prefix=""):
    """ImageMagick writes `name`; `prefix` picks a sub-format such as BMP3:."""
    subprocess.run(["convert", *args, prefix + os.path.join(out, name)], check=True)


base = source()
base_alpha = source(alpha=True)
tmp = os.path.join(out, "_source.png")
base.convert("RGB").save(tmp)
tmp_alpha = os.path.join(out, "_source_alpha.png")
base_alpha.save(tmp_alpha)

# PNG, written by Pillow and ImageMagick in every layout.
base.convert("RGB").save(os.path.join(out, "pillow-rgb.png")); record("pillow-rgb.png")
base_alpha.save(os.path.join(out, "pillow-rgba.png")); record("pillow-rgba.png")
base.convert("L").save(os.path.join(out, "pillow-gray.png")); record("pillow-gray.png")
base.convert("RGB").quantize(16).save(os.path.join(out, "pillow-palette4.png")); record("pillow-palette4.png")
pal = base_alpha.quantize(200)
pal.save(os.path.join(out, "pillow-palette8.png")); record("pillow-palette8.png")
magick([tmp, "-interlace", "PNG"], "magick-interlaced.png"); record("magick-interlaced.png")
magick([tmp_alpha, "-depth", "16"], "magick-rgba16.png"); record("magick-rgba16.png", tolerance=1)
# A real 16-bit file (ImageMagick keeps 8 bits when the samples fit in them).
gray16 = Image.frombytes("I;16", base.size, b"".join(
    (v * 257).to_bytes(2, "little") for v in base.convert("L").tobytes()))
gray16.save(os.path.join(out, "pillow-gray16.png")); record("pillow-gray16.png", tolerance=1, expected_image=base.convert("L"))

# JPEG: lossy, so decoded pixels match Pillow's libjpeg within a small tolerance.
rgb = base.convert("RGB")
rgb.save(os.path.join(out, "pillow-420.jpg"), quality=90); record("pillow-420.jpg", tolerance=3)
rgb.save(os.path.join(out, "pillow-444.jpg"), quality=90, subsampling=0); record("pillow-444.jpg", tolerance=3)
rgb.save(os.path.join(out, "pillow-progressive.jpg"), quality=80, progressive=True); record("pillow-progressive.jpg", tolerance=3)
base.convert("L").save(os.path.join(out, "pillow-gray.jpg"), quality=90); record("pillow-gray.jpg", tolerance=3)
# EXIF and ICC segments, which lossless JPEG rearrangement must keep.
from PIL import ImageCms
exif = Image.Exif()
exif[0x010F] = "upare test camera"
icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
rgb.save(os.path.join(out, "pillow-exif-icc.jpg"), quality=90, exif=exif.tobytes(), icc_profile=icc)
record("pillow-exif-icc.jpg", tolerance=3)
magick([tmp, "-colorspace", "CMYK"], "magick-cmyk.jpg"); record("magick-cmyk.jpg", expect="unsupported")

# BMP in every depth and orientation.
base.convert("RGB").save(os.path.join(out, "pillow-24.bmp")); record("pillow-24.bmp")
base.convert("1").save(os.path.join(out, "pillow-1bit.bmp")); record("pillow-1bit.bmp")
base.convert("RGB").quantize(200).save(os.path.join(out, "pillow-8bit.bmp")); record("pillow-8bit.bmp")
magick([tmp, "-colors", "12", "-type", "Palette"], "magick-4bit.bmp", "BMP3:"); record("magick-4bit.bmp")
magick([tmp, "-colors", "12", "-type", "Palette"], "magick-4bit-v5.bmp"); record("magick-4bit-v5.bmp")
# Pillow writes RGBA as 32-bit BI_RGB with alpha in the spare byte, but reads that
# byte back as padding; upare (like browsers) keeps it when any pixel uses it, so
# the reference is the source image itself.
base_alpha.save(os.path.join(out, "pillow-32.bmp")); record("pillow-32.bmp", expected_image=base_alpha)
magick([tmp_alpha], "magick-32-v5.bmp"); record("magick-32-v5.bmp")
# 5- and 6-bit channels: upare scales to the nearest 8-bit value, Pillow by bit
# replication; the two differ by at most one.
magick([tmp, "-define", "bmp:subtype=RGB565"], "magick-565.bmp"); record("magick-565.bmp", tolerance=1)
magick([tmp, "-define", "bmp:subtype=RGB555"], "magick-555.bmp"); record("magick-555.bmp", tolerance=1)
magick([tmp, "-colors", "40", "-compress", "RLE"], "magick-rle8.bmp", "BMP3:")
record("magick-rle8.bmp", expect="unsupported")

# A top-down file: Pillow's 24-bit BMP with its rows reversed and the height negated.
with open(os.path.join(out, "pillow-24.bmp"), "rb") as f:
    data = bytearray(f.read())
offset = struct.unpack_from("<I", data, 10)[0]
width, height = struct.unpack_from("<ii", data, 18)
row = ((width * 24 + 31) // 32) * 4
rows = [data[offset + i * row: offset + (i + 1) * row] for i in range(height)]
data[offset:] = b"".join(reversed(rows))
struct.pack_into("<i", data, 22, -height)
with open(os.path.join(out, "topdown-24.bmp"), "wb") as f:
    f.write(data)
record("topdown-24.bmp", expected_image=Image.open(os.path.join(out, "pillow-24.bmp")))

# A 12-megapixel photo-like JPEG is made by the benchmarks at run time instead.
for f in (tmp, tmp_alpha):
    os.remove(f)
with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
print(f"{len(manifest)} fixtures in {os.path.normpath(out)}")
