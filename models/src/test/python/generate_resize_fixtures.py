#!/usr/bin/env python3
"""Expected outputs of Pillow's resize and of torchvision's eval transform (what timm uses for
Inception-ResNet-v2: Resize(333, bicubic) + CenterCrop(299)), for PilResizeTest.

The source images are a pure-integer formula (PilResizeTest.source computes the same), so only the
outputs are committed:

    /usr/bin/python3 models/src/test/python/generate_resize_fixtures.py models/src/test/resources/pil

Needs Debian's python3-pil, python3-numpy, python3-torchvision.
"""
import json
import sys

import numpy as np
from PIL import Image
from torchvision import transforms
from torchvision.transforms import InterpolationMode


def source(width, height):
    """PilResizeTest.source: v = ((x*(3+c)) ^ (y*(5+2c))) + ((x*y) >> 4), low 8 bits."""
    y, x = np.mgrid[0:height, 0:width].astype(np.int64)
    channels = [(((x * (3 + c)) ^ (y * (5 + 2 * c))) + ((x * y) >> 4)) & 255 for c in range(3)]
    return Image.fromarray(np.stack(channels, axis=-1).astype(np.uint8), "RGB")


FILTERS = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR}
RESIZES = [  # (source w, h, target w, h, filter)
    (500, 375, 123, 77, "bilinear"),
    (500, 375, 123, 77, "bicubic"),
    (150, 100, 320, 240, "bicubic"),
    (299, 400, 299, 250, "bicubic"),
    (97, 61, 31, 200, "bicubic"),
]
CENTER_CROPS = [(500, 375), (375, 500), (61, 97), (1001, 333)]


def main(out):
    cases = []
    for sw, sh, tw, th, f in RESIZES:
        name = f"resize_{sw}x{sh}_to_{tw}x{th}_{f}.png"
        source(sw, sh).resize((tw, th), FILTERS[f]).save(f"{out}/{name}")
        cases.append({"kind": "resize", "source": [sw, sh], "target": [tw, th], "filter": f, "expected": name})
    eval_transform = transforms.Compose([
        transforms.Resize(333, interpolation=InterpolationMode.BICUBIC),
        transforms.CenterCrop(299),
    ])
    for sw, sh in CENTER_CROPS:
        name = f"center_{sw}x{sh}.png"
        eval_transform(source(sw, sh)).save(f"{out}/{name}")
        cases.append({"kind": "center", "source": [sw, sh], "input_size": 299, "crop_pct": 0.8975,
                      "filter": "bicubic", "expected": name})
    with open(f"{out}/cases.json", "w") as f:
        json.dump({"generator": "models/src/test/python/generate_resize_fixtures.py",
                   "pillow": Image.__version__, "cases": cases}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
