#!/usr/bin/env python3
"""Reference outputs of a network of the Inception family, for the Java parity tests.

Builds the reference implementation (timm, torchvision, Cadene's pretrainedmodels or
facenet-pytorch; timm, Cadene and facenet taken from a local checkout that is *not* part of this
repository), fills every parameter and BatchNorm statistic with the seeded
values that io.inceptionpipeline.models.weights.SeededWeights computes bit for bit in Java, runs
two seeded input images and writes the small outputs as JSON:

    /usr/bin/python3 models/src/test/python/generate_reference.py \
        --timm /path/to/pytorch-image-models --model inception_resnet_v2 \
        --out models/src/test/resources/reference/inception_resnet_v2.json

The commands for every model of the family are in models/src/test/resources/reference/README.md.

Needs only Debian's python3-torch and python3-numpy (and the reference's own source tree).
"""
import argparse
import json
import math
import sys

import numpy as np
import torch

GOLDEN_GAMMA = 0x9E3779B97F4A7C15
MASK = (1 << 64) - 1
SEED = 42  # io.inceptionpipeline.models.weights.SeededWeights users pass the same seed


def fnv1a64(s):
    h = 0xCBF29CE484222325
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001B3) & MASK
    return h


def uniform(key, n, scale, offset):
    """SeededWeights.uniform: SplitMix64 stream, offset + scale * (2u - 1), rounded to float32."""
    with np.errstate(over="ignore"):
        i = np.arange(1, n + 1, dtype=np.uint64)
        z = np.uint64(key) + i * np.uint64(GOLDEN_GAMMA)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    u = (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
    return (offset + scale * (2.0 * u - 1.0)).astype(np.float32)


def seeded(name, role, shape, seed):
    size = int(np.prod(shape)) if len(shape) else 1
    if role == "weight":
        scale, offset = math.sqrt(6.0 / (size // shape[0])), 0.0
    elif role == "gamma":
        scale, offset = 0.25, 1.0
    elif role == "running_var":
        scale, offset = 0.5, 1.0
    else:  # bias, beta, running_mean
        scale, offset = 0.1, 0.0
    key = (seed ^ fnv1a64(name)) & MASK
    return torch.from_numpy(uniform(key, size, scale, offset).reshape(shape))


def fill(model, seed):
    filled = set()
    for mname, module in model.named_modules():
        prefix = mname + "." if mname else ""
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            roles = {"weight": "gamma", "bias": "beta",
                     "running_mean": "running_mean", "running_var": "running_var"}
        elif isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
            roles = {"weight": "weight", "bias": "bias"}
        else:
            continue
        for attr, role in roles.items():
            t = getattr(module, attr, None)
            if t is None:
                continue
            with torch.no_grad():
                t.copy_(seeded(prefix + attr, role, tuple(t.shape), seed))
            filled.add(prefix + attr)
    state = {k for k in model.state_dict() if not k.endswith("num_batches_tracked")}
    missed = state - filled
    if missed:
        sys.exit(f"not filled: {sorted(missed)[:10]}")


# Two input images: full-range noise, and darker, low-contrast noise.
INPUT_SCALE_OFFSET = [(1.0, 0.0), (0.5, -0.25)]


def inputs(size, seed):
    return torch.stack([
        torch.from_numpy(uniform((seed ^ fnv1a64(f"input/{i}")) & MASK, 3 * size * size, scale, offset)
                         .reshape(3, size, size))
        for i, (scale, offset) in enumerate(INPUT_SCALE_OFFSET)])


def load_module(root, relative):
    import importlib.util
    import os
    path = os.path.join(root, relative)
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def without_tqdm():
    """facenet-pytorch imports tqdm for its weight downloads, which this script never makes."""
    try:
        import tqdm  # noqa: F401
    except ImportError:
        import types
        stub = types.ModuleType("tqdm")
        stub.tqdm = None
        stub.auto = stub
        sys.modules["tqdm"] = sys.modules["tqdm.auto"] = stub


class Reference:
    """A reference network and outputs(x) -> (embedding, logits or None)."""

    def __init__(self, model, description, outputs):
        self.model, self.description, self.outputs = model, description, outputs


def timm_reference(args):
    sys.path.insert(0, args.timm)
    import timm
    model = timm.create_model(args.model, pretrained=False, num_classes=args.num_classes)
    def outputs(x):
        features = model.forward_features(x)
        return model.forward_head(features, pre_logits=True), model.forward_head(features)
    return Reference(model, f"timm {args.model}", outputs)


def torchvision_googlenet(args):
    import torchvision
    # The inference model: no auxiliary classifiers, inputs already in [-1, 1] (transform_input off).
    model = torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=False,
                                         transform_input=False, num_classes=args.num_classes)
    def outputs(x):
        for name, module in model.named_children():
            if name in ("dropout", "fc"):
                break
            x = module(x)
        embedding = torch.flatten(x, 1)
        return embedding, model.fc(embedding)
    return Reference(model, f"torchvision googlenet", outputs)


def cadene_bninception(args):
    # Load the one module by path: the package's __init__ pulls in dataset code and its
    # dependencies, which building the network does not need.
    BNInception = load_module(args.cadene, "pretrainedmodels/models/bninception.py").BNInception
    model = BNInception(num_classes=args.num_classes)
    def outputs(x):
        features = model.features(x)
        pooled = torch.nn.functional.avg_pool2d(features, kernel_size=features.shape[2])
        return pooled.flatten(1), model.logits(features)
    return Reference(model, "Cadene pretrainedmodels bninception", outputs)


def facenet(args):
    """facenet-pytorch's InceptionResnetV1: the L2-normalized 512-d face embedding (its forward
    without classify); with --num-classes > 0 also its classifier, which reads the bottleneck
    before normalization."""
    sys.path.insert(0, args.facenet)
    without_tqdm()
    from models.inception_resnet_v1 import InceptionResnetV1
    classify = args.num_classes > 0
    model = InceptionResnetV1(classify=classify, num_classes=args.num_classes if classify else None)
    def outputs(x):
        for name, module in model.named_children():
            if name == "dropout":
                continue
            if name == "logits":
                break
            x = module(x.flatten(1) if name == "last_linear" else x)
        embedding = torch.nn.functional.normalize(x, p=2, dim=1)
        return embedding, model.logits(x) if classify else None
    return Reference(model, "facenet-pytorch InceptionResnetV1", outputs)


def facenet_paper_head(args):
    """facenet-pytorch's InceptionResnetV1 trunk with the paper's head: pool, linear 1792 -> N."""
    sys.path.insert(0, args.facenet)
    without_tqdm()
    from models.inception_resnet_v1 import InceptionResnetV1
    model = InceptionResnetV1(classify=False)
    del model.last_linear, model.last_bn
    model.logits = torch.nn.Linear(1792, args.num_classes)
    def outputs(x):
        for name, module in model.named_children():
            if name in ("dropout", "logits"):
                break
            x = module(x)
        embedding = x.flatten(1)
        return embedding, model.logits(embedding)
    return Reference(model, "facenet-pytorch InceptionResnetV1 trunk, linear 1792->N head",
                     outputs)


SOURCES = {
    "timm": timm_reference,
    "torchvision-googlenet": torchvision_googlenet,
    "cadene-bninception": cadene_bninception,
    "facenet": facenet,
    "facenet-paper-head": facenet_paper_head,
}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--source", choices=sorted(SOURCES), default="timm")
    p.add_argument("--timm", help="root of a pytorch-image-models checkout (holds timm/)")
    p.add_argument("--cadene", help="root of a Cadene/pretrained-models.pytorch checkout")
    p.add_argument("--facenet", help="root of a timesler/facenet-pytorch checkout (holds models/)")
    p.add_argument("--model", default="inception_resnet_v2", help="the Java model name")
    p.add_argument("--num-classes", type=int, default=1000, help="0: no classifier (facenet)")
    p.add_argument("--input-size", type=int, default=299)
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--out", required=True)
    args = p.parse_args()

    torch.set_grad_enabled(False)
    reference = SOURCES[args.source](args)
    model = reference.model.eval()
    fill(model, args.seed)
    x = inputs(args.input_size, args.seed)

    stages = {}
    def hook(name):
        def record(_module, _inp, out):
            stages[name] = {"shape": list(out.shape), "mean": out.double().mean().item(),
                            "std": out.double().std().item(), "first": out.flatten()[:8].tolist()}
        return record
    for name, module in model.named_children():
        module.register_forward_hook(hook(name))

    macs = [0]
    def count(module, _inp, out):
        if isinstance(module, torch.nn.Conv2d):
            macs[0] += out[:1].numel() * module.weight[0].numel()
        elif isinstance(module, torch.nn.Linear):
            macs[0] += out[:1].numel() * module.in_features
    for module in model.modules():
        if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
            module.register_forward_hook(count)

    embedding, logits = reference.outputs(x)
    if logits is None:  # an embedding model: no classifier
        logits = torch.zeros(x.shape[0], 0)
        top5 = torch.return_types.topk((torch.zeros(x.shape[0], 0), torch.zeros(x.shape[0], 0, dtype=torch.long)))
    else:
        # Ranked by logits, not probabilities: softmax saturates to exact ties on random weights.
        top5 = logits.topk(5)
    result = {
        "generator": "models/src/test/python/generate_reference.py",
        "reference": f"{reference.description} (torch {torch.__version__})",
        "model": args.model, "num_classes": args.num_classes, "seed": args.seed,
        "input_shape": list(x.shape),
        "parameters": sum(p.numel() for p in model.parameters()),
        "macs_per_image": macs[0],  # conv + linear multiply-accumulates of one image
        "stages": stages,
        "logits": logits.tolist(),
        "top5_index": top5.indices.tolist(),
        "embedding": embedding.tolist(),
    }
    with open(args.out, "w") as f:
        json.dump(result, f, separators=(",", ":"))
    for name, s in stages.items():
        print(f"{name:12s} {str(s['shape']):22s} mean {s['mean']:+.4f} std {s['std']:.4f}")
    print("parameters", result["parameters"], "GMACs", macs[0] / 1e9)
    print("top5", top5.indices.tolist(), [[round(v, 4) for v in r] for r in top5.values.tolist()])
    print("embedding", [[round(v, 4) for v in r[:4]] for r in embedding.tolist()])


if __name__ == "__main__":
    main()
