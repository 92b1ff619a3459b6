#!/usr/bin/env python3
"""Writes the first N Fashion-MNIST test images as PNG files with their true labels (labels.csv),
from Debian's dataset-fashion-mnist:

    /usr/bin/python3 samples/fashion-mnist/generate.py 200
"""
import csv
import gzip
import os
import sys

import numpy as np
from PIL import Image

DATA = "/usr/share/datasets/fashion-mnist"
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def main(count):
    here = os.path.dirname(os.path.abspath(__file__))
    with gzip.open(f"{DATA}/t10k-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(f"{DATA}/t10k-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    os.makedirs(f"{here}/images", exist_ok=True)
    with open(f"{here}/labels.csv", "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["file", "index", "label"])
        for i in range(count):
            name = f"test-{i:05d}.png"
            Image.fromarray(images[i], "L").save(f"{here}/images/{name}")
            writer.writerow([f"images/{name}", int(labels[i]), CLASSES[labels[i]]])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
