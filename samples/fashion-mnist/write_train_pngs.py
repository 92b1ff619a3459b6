#!/usr/bin/env python3
"""Writes Fashion-MNIST's 60,000 training images as PNGs in one folder per class, and an
archive manifest (id,uri) of them, from Debian's dataset-fashion-mnist (the embedding-index
benchmark in docs/benchmarks.md indexes them with `archive --index-dir`):

    /usr/bin/python3 samples/fashion-mnist/write_train_pngs.py /tmp/fm15
"""
import gzip
import os
import sys

import numpy as np
from PIL import Image

DATA = "/usr/share/datasets/fashion-mnist"


def main(out):
    with gzip.open(f"{DATA}/train-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(f"{DATA}/train-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    for c in range(10):
        os.makedirs(f"{out}/train/{c}", exist_ok=True)
    with open(f"{out}/manifest-60k.csv", "w") as manifest:
        manifest.write("id,uri\n")
        for i in range(len(images)):
            path = f"{out}/train/{labels[i]}/train-{i:05d}.png"
            Image.fromarray(images[i], "L").save(path)
            manifest.write(f"train-{i:05d},file://{path}\n")


if __name__ == "__main__":
    main(sys.argv[1])
