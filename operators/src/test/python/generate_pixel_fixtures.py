#!/usr/bin/env python3
"""PNGs and a JPEG whose 8-bit RGB pixels the decoder must give exactly as the reference pipeline
does, i.e. as Pillow's ``Image.open(f).convert("RGB")`` (what timm's datasets call), for
PixelParityTest:

    /usr/bin/python3 operators/src/test/python/generate_pixel_fixtures.py operators/src/test/resources/pixels

Needs Debian's python3-pil and python3-numpy. Pillow cannot write every PNG layout (16-bit RGB,
16-bit grey+alpha, low bit depths, tRNS on any type), so the PNGs are written by the small encoder
below; Pillow then reads each one and its ``convert("RGB")`` bytes are stored next to it as
``NAME.rgb`` (width x height x 3 bytes, row-major). ``cases.json`` lists, per file, the mode Pillow
opened it as and the SHA-256 of the expected bytes.

16-bit samples are hi << 8 | lo with the low byte varying on its own, so the three plausible
reductions (v >> 8, round(v * 255 / 65535), clip to 255) all give different bytes.

The ICC fixtures embed the Adobe RGB (1998) profile taken from samples/images/rocket.jpg (already in
the repository), so nothing third-party is added. ``rocket.sha256`` is the SHA-256 of Pillow's
``convert("RGB")`` bytes of samples/images/rocket.jpg itself (820 KB, too large to commit).
"""
import hashlib
import io
import json
import struct
import sys
import zlib

import numpy as np
from PIL import Image

W, H = 16, 12
ROCKET = "samples/images/rocket.jpg"


def sixteen(channels, seed):
    """W x H x channels uint16, high and low bytes independent (the low byte matters)."""
    y, x = np.mgrid[0:H, 0:W].astype(np.int64)
    planes = []
    for c in range(channels):
        hi = (x * 16 + y * 5 + c * 71 + seed) & 255
        lo = (x * 37 + y * 91 + c * 53 + seed * 7) & 255
        planes.append((hi << 8) | lo)
    return np.stack(planes, axis=-1).astype(np.uint16)


def eight(channels, seed):
    y, x = np.mgrid[0:H, 0:W].astype(np.int64)
    planes = [((x * 13 + y * 29 + c * 101 + seed) * 7) & 255 for c in range(channels)]
    return np.stack(planes, axis=-1).astype(np.uint8)


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(samples, colour_type, bit_depth, palette=None, trns=None, icc=None):
    """A PNG of ``samples`` (H x W x channels, or H x W indices/grey levels for packed depths)."""
    height, width = samples.shape[0], samples.shape[1]
    if bit_depth == 16:
        rows = [samples[r].astype(">u2").tobytes() for r in range(height)]
    elif bit_depth == 8:
        rows = [samples[r].astype(np.uint8).tobytes() for r in range(height)]
    else:
        per_byte = 8 // bit_depth
        rows = []
        for r in range(height):
            packed = bytearray()
            for start in range(0, width, per_byte):
                byte = 0
                for i, v in enumerate(samples[r, start:start + per_byte]):
                    byte |= int(v) << (8 - bit_depth * (i + 1))
                packed.append(byte)
            rows.append(bytes(packed))
    raw = b"".join(b"\x00" + row for row in rows)
    out = b"\x89PNG\r\n\x1a\n"
    out += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0))
    if icc is not None:
        out += chunk(b"iCCP", b"Adobe RGB (1998)\x00\x00" + zlib.compress(icc))
    if palette is not None:
        out += chunk(b"PLTE", bytes(palette))
    if trns is not None:
        out += chunk(b"tRNS", trns)
    out += chunk(b"IDAT", zlib.compress(raw, 9))
    out += chunk(b"IEND", b"")
    return out


def adobe_rgb_profile(root):
    return Image.open(f"{root}/{ROCKET}").info["icc_profile"]


def cases(root):
    icc = adobe_rgb_profile(root)
    y, x = np.mgrid[0:H, 0:W]
    palette = [v for i in range(256) for v in ((i * 37) & 255, (i * 91 + 11) & 255, (255 - i * 13) & 255)]
    yield "rgb16.png", png(sixteen(3, 0), 2, 16)
    yield "grey16.png", png(sixteen(1, 1)[..., 0], 0, 16)
    yield "greyalpha16.png", png(sixteen(2, 2), 4, 16)
    yield "rgba16.png", png(sixteen(4, 3), 6, 16)
    yield "rgb16-trns.png", png(sixteen(3, 4), 2, 16, trns=struct.pack(">HHH", *sixteen(3, 4)[0, 0]))
    yield "grey16-trns.png", png(sixteen(1, 5)[..., 0], 0, 16, trns=struct.pack(">H", sixteen(1, 5)[0, 0, 0]))
    # 8-bit alpha, including fully transparent pixels whose colour is not black: Pillow keeps it.
    rgba = eight(4, 6)
    rgba[..., 3] = ((x * 17 + y * 3) & 255).astype(np.uint8)
    rgba[0, :4, 3] = 0
    yield "rgba8.png", png(rgba, 6, 8)
    yield "greyalpha8.png", png(eight(2, 7), 4, 8)
    yield "rgb8-trns.png", png(eight(3, 8), 2, 8, trns=bytes([0, eight(3, 8)[0, 0, 0], 0, eight(3, 8)[0, 0, 1], 0, eight(3, 8)[0, 0, 2]]))
    indices = ((x * 7 + y * 11) & 255).astype(np.uint8)
    yield "palette8-trns.png", png(indices, 3, 8, palette=palette, trns=bytes((i * 29) & 255 for i in range(200)))
    yield "palette4.png", png(indices & 15, 3, 4, palette=palette[:48])
    for depth in (1, 2, 4):
        yield f"grey{depth}.png", png((x + 2 * y) % (1 << depth), 0, depth)
    yield "rgb8-iccp.png", png(eight(3, 9), 2, 8, icc=icc)
    # A JPEG tagged Adobe RGB (as cameras and phones tag Display P3): Pillow ignores the profile.
    buffer = io.BytesIO()
    Image.fromarray(eight(3, 10).repeat(4, axis=0).repeat(4, axis=1), "RGB").save(
        buffer, "JPEG", quality=92, icc_profile=icc)
    yield "adobergb.jpg", buffer.getvalue()


def main(out, root="."):
    listed = []
    for name, data in cases(root):
        with open(f"{out}/{name}", "wb") as f:
            f.write(data)
        image = Image.open(f"{out}/{name}")
        mode = image.mode
        rgb = np.asarray(image.convert("RGB"))
        with open(f"{out}/{name}.rgb", "wb") as f:
            f.write(rgb.tobytes())
        listed.append({"file": name, "pillow_mode": mode, "size": list(image.size),
                       "icc_profile": "icc_profile" in image.info,
                       "rgb_sha256": hashlib.sha256(rgb.tobytes()).hexdigest()})
    rocket = np.asarray(Image.open(f"{root}/{ROCKET}").convert("RGB"))
    with open(f"{out}/rocket.sha256", "w") as f:
        f.write(hashlib.sha256(rocket.tobytes()).hexdigest() + "\n")
    with open(f"{out}/cases.json", "w") as f:
        json.dump({"generator": "operators/src/test/python/generate_pixel_fixtures.py",
                   "pillow": Image.__version__, "reference": 'Image.open(f).convert("RGB")',
                   "cases": listed}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
