"""Checking an uploaded file by its bytes, not its name: every app that keeps photos and scans
(event attachments, mediation scans, visit photos) accepts the same types and size."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile

from gridgov.core.errors import Invalid

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def check_upload(
    upload: UploadedFile, *, field: str = "files", images_only: bool = False
) -> tuple[str, bool]:
    """(content type, is image) of an accepted upload: a JPEG, PNG or WEBP image that Pillow can
    read, or (unless `images_only`) a PDF; at most 10 MB. Anything else is refused by name."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise Invalid(f"“{upload.name}”超过 10 MB。", field=field)
    if not images_only:
        head = upload.read(16)
        upload.seek(0)
        if head.startswith(b"%PDF"):
            return "application/pdf", False
    what = "图片" if images_only else "图片或 PDF 文件"
    try:
        from PIL import Image

        with Image.open(upload) as image:
            image.verify()
            kind = (image.format or "").lower()
    except Exception as exc:
        raise Invalid(f"“{upload.name}”不是可识别的{what}。", field=field) from exc
    finally:
        upload.seek(0)
    content_type = IMAGE_TYPES.get(kind)
    if content_type is None:
        formats = "JPG、PNG 或 WEBP" if images_only else "JPG、PNG、WEBP 或 PDF"
        raise Invalid(f"“{upload.name}”格式不支持,请上传 {formats}。", field=field)
    return content_type, True
