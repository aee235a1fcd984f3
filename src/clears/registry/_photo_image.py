"""Clinical photographs as bytes in, clean JPEG bytes out: checked, decoded and re-encoded.

A photograph is taken on a phone or a camera that writes the place it was taken (EXIF GPS),
the device, the time and sometimes the owner's name into the file. None of that is kept:
the upload is checked for size before anything decodes it, its type is read from its first
bytes (never from its name or the browser's word), its pixel count is checked from the
header before the pixels are decoded (a small file can unpack into gigabytes: a
decompression bomb), and what is stored is a new JPEG drawn from the pixels alone, turned
upright first by the EXIF orientation tag and converted to sRGB through its ICC profile when
it has one. The stored file carries no EXIF, XMP, ICC profile or comment; a thumbnail is
made the same way.

Pure functions over bytes; nothing here touches the disk or the database. Pillow is
imported inside the functions that need it (``import clears`` stays fast).

References
----------
JEITA CP-3451 (Exif 2.32), section 4.6.6 (the GPS attribute IFD) and the orientation tag
0x0112; Pillow's ``ImageOps.exif_transpose`` and ``Image.MAX_IMAGE_PIXELS``
(https://pillow.readthedocs.io). The file signatures are those of each format's
specification: JPEG (ITU-T T.81 Annex B, SOI ``FF D8``), PNG (ISO/IEC 15948, section 5.2),
WebP (RIFF container, ``WEBP`` form type) and TIFF 6.0 (section 2, ``II*\\0`` / ``MM\\0*``).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from clears._exceptions import InputError, Problem

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = [
    "ALLOWED_TYPES",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "FIELD",
    "JPEG_QUALITY",
    "MAX_PIXELS_CEILING",
    "STORED_TYPE",
    "THUMBNAIL_EDGE",
    "CleanImage",
    "clean_image",
    "limits_text",
    "sniff",
]

#: The accepted formats: Pillow's format name → media type. HEIC is not among them: the
#: Pillow here has no HEIF decoder (``pillow-heif`` is not a dependency).
ALLOWED_TYPES: Final = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "TIFF": "image/tiff",
}

#: What every stored photograph and thumbnail is.
STORED_TYPE: Final = "image/jpeg"

#: The largest upload accepted by default: 16 MiB (below the web app's 20 MiB limit of a
#: whole upload body, so that a photograph too big is refused by this check, with its
#: message, not by the body limit).
DEFAULT_MAX_BYTES: Final = 16 * 2**20

#: The most pixels accepted by default: 40 megapixels (a 50 MP camera's full-size frame is
#: refused; phones write 12-48 MP).
DEFAULT_MAX_PIXELS: Final = 40_000_000

#: The highest pixel limit a setting may give: Pillow's own bomb warning threshold
#: (``Image.MAX_IMAGE_PIXELS``, 89,478,485 pixels), so that this check always speaks first.
MAX_PIXELS_CEILING: Final = 89_478_485

#: JPEG quality of the stored photograph (libjpeg's 1-95 scale) and of the thumbnail.
JPEG_QUALITY: Final = 90
_THUMBNAIL_QUALITY: Final = 85

#: The longest edge of a thumbnail, in pixels.
THUMBNAIL_EDGE: Final = 320

#: The field refusals name.
FIELD: Final = "photo"

_TYPE_NAMES: Final = "JPEG, PNG, WebP or TIFF"
_DISPLAY: Final = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "TIFF": "TIFF"}


@dataclass(frozen=True, slots=True)
class CleanImage:
    """A photograph as it is stored: JPEG bytes without metadata, its thumbnail and facts.

    ``sha256`` is the hex digest of ``data``, the name it is stored under.
    """

    data: bytes
    thumbnail: bytes
    width: int
    height: int
    sha256: str
    source_type: str
    media_type: str = STORED_TYPE

    @property
    def byte_size(self) -> int:
        """Size of the stored JPEG, in bytes."""
        return len(self.data)


def limits_text(*, max_bytes: int, max_pixels: int) -> str:
    """The allowed uploads in words, as refusals give them.

    Examples
    --------
    >>> limits_text(max_bytes=16 * 2**20, max_pixels=40_000_000)
    'a JPEG, PNG, WebP or TIFF image of at most 16 MiB (16,777,216 bytes) and 40,000,000 pixels'
    """
    size = f"{max_bytes / 2**20:g} MiB ({max_bytes:,} bytes)"
    return f"a {_TYPE_NAMES} image of at most {size} and {max_pixels:,} pixels"


def sniff(data: bytes) -> str | None:
    """The format of ``data`` read from its first bytes (a key of :data:`ALLOWED_TYPES`), or
    ``None`` when it starts like none of them.

    Examples
    --------
    >>> sniff(b"\\xff\\xd8\\xff\\xe0rest"), sniff(b"\\x89PNG\\r\\n\\x1a\\n..."), sniff(b"GIF89a")
    ('JPEG', 'PNG', None)
    >>> sniff(b"RIFF\\x00\\x00\\x00\\x00WEBPVP8 "), sniff(b"II*\\x00"), sniff(b"%PDF-1.7")
    ('WEBP', 'TIFF', None)
    """
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    return None


def _refused(message: str, allowed: str, value: object = None) -> InputError:
    return InputError([Problem(FIELD, value, message, allowed)])


def _srgb(image: PILImage.Image) -> PILImage.Image:
    """``image`` as 8-bit RGB in sRGB: converted through its ICC profile when it has one,
    flattened on white when it has transparency."""
    from PIL import Image, ImageCms

    profile = image.info.get("icc_profile")
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda value: value / 256).convert("L")
    if image.mode == "P" or image.mode in ("LA", "PA", "RGBA", "La"):
        image = image.convert("RGBA")
        base = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(base, image)
    if image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            converted = ImageCms.profileToProfile(
                image, source, ImageCms.createProfile("sRGB"), outputMode="RGB"
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None  # a damaged profile: the pixels as they are
        if converted is not None:
            image = converted
    return image.convert("RGB")


def _jpeg(image: PILImage.Image, quality: int) -> bytes:
    """``image`` (RGB) as baseline JPEG bytes with no metadata segment at all."""
    from PIL import Image

    # Drawn anew from the pixels: nothing of the source's ``info`` (EXIF, XMP, ICC,
    # comments, DPI) can ride along into the encoder.
    bare = Image.frombytes("RGB", image.size, image.tobytes())
    out = io.BytesIO()
    bare.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def clean_image(data: bytes, *, max_bytes: int, max_pixels: int) -> CleanImage:
    """Check an uploaded photograph and re-encode it as a JPEG without metadata.

    Parameters
    ----------
    data
        The uploaded file's bytes.
    max_bytes
        The largest upload accepted, checked before anything is decoded.
    max_pixels
        The most pixels (width × height) accepted, checked from the header before the
        pixels are decoded.

    Returns
    -------
    CleanImage
        The stored JPEG (quality :data:`JPEG_QUALITY`, sRGB, upright, no EXIF, GPS, XMP,
        ICC profile or comment), its thumbnail (longest edge :data:`THUMBNAIL_EDGE`), the
        size in pixels and the SHA-256 of the stored bytes.

    Raises
    ------
    InputError
        Empty, too big, not a JPEG, PNG, WebP or TIFF file by its content, too many
        pixels, or not decodable (truncated or damaged); the problem names field
        ``photo`` and the limits and types allowed.

    Examples
    --------
    >>> clean_image(b"%PDF-1.7 ...", max_bytes=2**20, max_pixels=10**6)
    Traceback (most recent call last):
    ...
    clears._exceptions.InputError: photo: is not a JPEG, PNG, WebP or TIFF image by its \
content (a file's name or type does not count); allowed: a JPEG, PNG, WebP or TIFF image \
of at most 1 MiB (1,048,576 bytes) and 1,000,000 pixels
    """
    allowed = limits_text(max_bytes=max_bytes, max_pixels=max_pixels)
    if not data:
        raise _refused("is empty (no file was chosen, or it has no bytes)", allowed)
    if len(data) > max_bytes:
        raise _refused(f"is {len(data):,} bytes, more than the {max_bytes:,} allowed", allowed)
    kind = sniff(data)
    if kind is None:
        raise _refused(
            f"is not a {_TYPE_NAMES} image by its content (a file's name or type does not count)",
            allowed,
        )
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as opened:
            width, height = opened.size
            if width * height > max_pixels:
                raise _refused(
                    f"has {width:,} × {height:,} = {width * height:,} pixels, more than the "
                    f"{max_pixels:,} allowed",
                    allowed,
                )
            opened.load()
            upright = ImageOps.exif_transpose(opened)
            rgb = _srgb(upright)
    except InputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refused(f"has more than the {max_pixels:,} pixels allowed", allowed) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise _refused(
            f"could not be decoded as a {_DISPLAY[kind]} image (the file is truncated or damaged)",
            allowed,
        ) from None
    stored = _jpeg(rgb, JPEG_QUALITY)
    small = rgb.copy()
    small.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE), Image.Resampling.LANCZOS)
    return CleanImage(
        data=stored,
        thumbnail=_jpeg(small, _THUMBNAIL_QUALITY),
        width=rgb.width,
        height=rgb.height,
        sha256=hashlib.sha256(stored).hexdigest(),
        source_type=ALLOWED_TYPES[kind],
    )
