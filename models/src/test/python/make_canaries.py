#!/usr/bin/env python3
"""Derives the known-answer (canary) files shipped in the models jar from the reference outputs.

Each reference file (models/src/test/resources/reference/<model>.json, written by
generate_reference.py from timm / torchvision / facenet-pytorch / Cadene under Debian's
python3-torch) holds the logits and embeddings of the two seeded input images on the seeded
weights (seed 42). The canary keeps exactly those, and nothing else, so that every model load can
compare what the engine computes with what the reference computed:

    /usr/bin/python3 models/src/test/python/make_canaries.py
"""
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[4]
REFERENCE = ROOT / "models/src/test/resources/reference"
CANARY = ROOT / "models/src/main/resources/io/inceptionpipeline/models/canary"

for path in sorted(REFERENCE.glob("*.json")):
    ref = json.loads(path.read_text())
    entry = {
        "weights": "seeded:%d" % ref["seed"],
        "computed_by": ref["reference"],
        "num_classes": ref["num_classes"],
        "logits": ref["logits"] if ref["num_classes"] > 0 else [],
        "embedding": ref["embedding"],
    }
    canary = {
        "model": ref["model"],
        "input_size": ref["input_shape"][2],
        "inputs": "seeded:%d" % ref["seed"],
        "generator": "models/src/test/python/make_canaries.py from " + ref["generator"],
        "entries": [entry],
    }
    out = CANARY / path.name
    out.write_text(json.dumps(canary, separators=(",", ":")) + "\n")
    print(out.relative_to(ROOT), out.stat().st_size, "bytes")
