"""Images for the photograph tests, drawn by Pillow: never a real patient's photograph."""

from __future__ import annotations

import io

from PIL import ExifTags, Image

__all__ = ["gps_jpeg"]


def gps_jpeg(
    size: tuple[int, int] = (64, 48), colour: tuple[int, int, int] = (180, 90, 60)
) -> bytes:
    """A JPEG as a phone writes it: EXIF with make, owner, orientation 6 and a GPS position,
    and a comment naming the owner — none of which may leave clears."""
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SyntheticPhone"
    exif[ExifTags.Base.Artist] = "Jane Example"
    exif[ExifTags.Base.Orientation] = 6  # rotate 90° clockwise to view
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (41.0, 23.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 10.0, 3.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"owner: Jane Example")
    return out.getvalue()
