#!/usr/bin/env python3
"""Small images in the encodings the decoder must handle, written by Pillow (Debian python3-pil):

    /usr/bin/python3 operators/src/test/python/generate_decoder_fixtures.py operators/src/test/resources/images

Every image shows the same scene, so the test can check colours and orientation: 64x48, left half
red, right half blue, a green 8x8 square in the top-left corner.
"""
import io
import sys

from PIL import Image


def scene(mode="RGB"):
    img = Image.new("RGB", (64, 48), (220, 30, 30))
    img.paste((30, 30, 220), (32, 0, 64, 48))
    img.paste((30, 200, 30), (0, 0, 8, 8))
    return img.convert(mode) if mode != "RGB" else img


def main(out):
    scene().save(f"{out}/baseline.jpg", quality=95)
    scene().save(f"{out}/progressive.jpg", quality=95, progressive=True)
    scene("CMYK").save(f"{out}/cmyk.jpg", quality=95)
    scene().convert("L").save(f"{out}/gray.png")
    scene("RGBA").save(f"{out}/rgba.png")
    scene().save(f"{out}/indexed.gif")
    frames = [scene(), Image.new("RGB", (64, 48), (0, 0, 0))]
    frames[0].save(f"{out}/animated.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    scene().save(f"{out}/image.bmp")
    try:
        scene().save(f"{out}/lossless.webp", lossless=True)
    except (KeyError, OSError) as e:
        print("no WebP in this Pillow:", e)
    # Stored rotated 90 degrees counter-clockwise, with EXIF orientation 6 (rotate 90 clockwise to view).
    exif = Image.Exif()
    exif[0x0112] = 6
    scene().transpose(Image.ROTATE_90).save(f"{out}/exif-orientation-6.jpg", quality=95, exif=exif.tobytes())
    # 16 bits per channel greyscale.
    scene().convert("L").convert("I").point(lambda v: v * 257).convert("I;16").save(f"{out}/gray16.png")


if __name__ == "__main__":
    main(sys.argv[1])
