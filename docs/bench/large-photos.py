#!/usr/bin/python3
"""Camera-sized JPEGs for DecodeTime.java, made from bundled photos (docs/benchmarks.md,
"Preparing large photos"): resized with bicubic, Gaussian noise of sigma 6 added so that they
compress like camera photos, saved at quality 90. Debian's Pillow and NumPy.

    /usr/bin/python3 docs/bench/large-photos.py SRC_DIR OUT_DIR
"""
import sys
from pathlib import Path

import numpy as np
from PIL import Image

src, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(0)
for name, target, size in [
    ("chelsea.jpg", "cat12mp.jpg", (4000, 3000)),
    ("coffee.jpg", "coffee12mp.jpg", (4000, 3000)),
    ("astronaut.jpg", "astro3mp.jpg", (2048, 1536)),
]:
    image = Image.open(src / name).convert("RGB").resize(size, Image.BICUBIC)
    noise = rng.normal(0, 6, (size[1], size[0], 3)).astype(np.int16)
    pixels = np.clip(np.asarray(image).astype(np.int16) + noise, 0, 255).astype(np.uint8)
    Image.fromarray(pixels).save(out / target, quality=90)
    print(out / target)
