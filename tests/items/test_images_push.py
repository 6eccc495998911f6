"""POST /ecrs/images/: item images as multipart ``file`` parts (CONTRACT 2.6)."""

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from PIL import Image

from ecrs_hub.models import Push
from ecrs_hub.services import push_replay
from items.models import ItemImage

pytestmark = pytest.mark.django_db

BOUNDARY = "----catapult-boundary-7MA4YWxkTrZu0gW"


def image_bytes(fmt: str, color=(200, 30, 30), size=(8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def multipart(files: list[tuple[str, bytes]], field: str = "file") -> bytes:
    """A multipart body written by hand, so that file names go on the wire exactly as given
    (Django's test client would strip directories from them)."""
    parts = []
    for name, content in files:
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def post_images(pusher, files, **kwargs):
    return pusher.post(
        "/ecrs/images/", multipart(files, **kwargs), content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )


def stored_bytes(image: ItemImage) -> bytes:
    with default_storage.open(image.file.name, "rb") as handle:
        return handle.read()


def test_jpeg_png_and_gif_are_verified_and_stored_through_the_storage_api(pusher):
    files = [
        ("4494967296001.jpg", image_bytes("JPEG")),
        ("4494967296101.png", image_bytes("PNG")),
        ("4494967296201.gif", image_bytes("GIF")),
    ]

    response = post_images(pusher, files)

    assert response.status_code == 200
    assert response.json()["message"] == "3 images: 3 created, 0 updated, 0 unchanged."
    for name, content in files:
        image = ItemImage.objects.get(name=name)
        assert stored_bytes(image) == content
        assert (image.width, image.height, image.size) == (8, 6, len(content))
    assert ItemImage.objects.get(name="4494967296101.png").format == "PNG"


def test_the_same_name_and_bytes_is_unchanged_and_new_bytes_replace_the_image(
    pusher, django_capture_on_commit_callbacks
):
    post_images(pusher, [("a.jpg", image_bytes("JPEG"))])
    old_path = ItemImage.objects.get().file.name

    again = post_images(pusher, [("a.jpg", image_bytes("JPEG"))])
    assert again.json()["message"] == "1 images: 0 created, 0 updated, 1 unchanged."

    blue = image_bytes("JPEG", color=(0, 0, 255))
    with django_capture_on_commit_callbacks(execute=True):
        replaced = post_images(pusher, [("a.jpg", blue)])
    assert replaced.json()["message"] == "1 images: 0 created, 1 updated, 0 unchanged."
    image = ItemImage.objects.get()
    assert stored_bytes(image) == blue
    assert not default_storage.exists(old_path)  # nothing else used the old bytes


def test_the_same_bytes_under_two_names_are_stored_once(pusher):
    content = image_bytes("PNG")
    post_images(pusher, [("one.png", content), ("two.png", content)])
    assert ItemImage.objects.count() == 2
    assert len(set(ItemImage.objects.values_list("file", flat=True))) == 1


def test_bytes_that_are_not_an_image_are_rejected_whatever_the_extension(pusher):
    response = post_images(pusher, [("fake.jpg", b"GIF89a but not really an image"), ("real.jpg", image_bytes("JPEG"))])
    assert response.status_code == 422
    assert "file[0]: 'fake.jpg' is not a readable image" in response.json()["message"]
    assert list(ItemImage.objects.values_list("name", flat=True)) == ["real.jpg"]


@pytest.mark.parametrize(
    ("fmt", "extension", "mime"),
    [("BMP", ".bmp", "image/bmp"), ("WEBP", ".webp", "image/webp"), ("TIFF", ".tif", "image/tiff")],
)
def test_any_raster_image_pillow_decodes_is_stored_as_what_it_is(pusher, fmt, extension, mime):
    """CONTRACT 2.6: the Instant Item Detail document sets no format, so BMP, WebP and TIFF
    are stored too, still checked by decoding, under a content-addressed name."""
    content = image_bytes(fmt)
    response = post_images(pusher, [("photo.jpg", content)])

    assert response.status_code == 200, response.json()
    image = ItemImage.objects.get()
    assert (image.format, image.content_type) == (fmt, mime)
    assert image.file.name.endswith(extension) and "photo" not in image.file.name
    assert stored_bytes(image) == content


def test_a_png_named_jpg_is_stored_as_what_its_bytes_are(pusher):
    post_images(pusher, [("mislabelled.jpg", image_bytes("PNG"))])
    image = ItemImage.objects.get()
    assert image.format == "PNG" and image.file.name.endswith(".png")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../../../../tmp/evil.jpg", "path separator"),
        ("..\\..\\evil.jpg", "path separator"),
        ("a..jpg", '".."'),
        ("evil\x07.jpg", "control characters"),
        (".hidden.jpg", "starts with a dot"),
    ],
)
def test_a_name_that_is_not_a_plain_file_name_is_refused_and_nothing_is_written_outside(pusher, name, reason):
    before = set(Path(settings.MEDIA_ROOT).parent.iterdir())

    response = post_images(pusher, [(name, image_bytes("JPEG")), ("fine.jpg", image_bytes("JPEG"))])

    assert response.status_code == 422
    assert reason in response.json()["message"]
    assert list(ItemImage.objects.values_list("name", flat=True)) == ["fine.jpg"]
    assert set(Path(settings.MEDIA_ROOT).parent.iterdir()) == before
    assert not Path("/tmp/evil.jpg").exists()


def test_eleven_files_are_refused_whole(pusher):
    files = [(f"{n}.jpg", image_bytes("JPEG")) for n in range(11)]
    response = post_images(pusher, files)
    assert response.status_code == 400
    assert "11 files in one request: at most 10" in response.json()["message"]
    assert ItemImage.objects.count() == 0


def test_ten_files_are_accepted(pusher):
    files = [(f"{n}.jpg", image_bytes("JPEG", color=(n, n, n))) for n in range(10)]
    assert post_images(pusher, files).status_code == 200
    assert ItemImage.objects.count() == 10


def test_an_upload_without_files_is_400(pusher):
    response = pusher.post(
        "/ecrs/images/", f"--{BOUNDARY}--\r\n".encode(), content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )
    assert response.status_code == 400 and "No files" in response.json()["message"]


def test_json_to_the_image_endpoint_is_415(pusher):
    response = pusher.post("/ecrs/images/", b"[]")
    assert response.status_code == 415 and "multipart/form-data" in response.json()["message"]


def test_images_over_the_limit_are_413(pusher, settings):
    settings.ECRS_MAX_IMAGE_BYTES = 100
    response = post_images(pusher, [("a.jpg", image_bytes("JPEG"))])
    assert response.status_code == 413


def test_the_raw_upload_is_kept_and_can_be_replayed(pusher):
    body_files = [("a.jpg", image_bytes("JPEG"))]
    post_images(pusher, body_files)
    push = Push.objects.get()
    with default_storage.open(push.files[0]["path"], "rb") as handle:
        assert handle.read() == multipart(body_files)
    ItemImage.objects.all().delete()

    replay = push_replay(push)

    assert replay.status == "ok" and replay.created == 1
    assert ItemImage.objects.get().name == "a.jpg"


def test_a_truncated_file_left_by_an_earlier_fault_is_written_again_whole(pusher):
    """A file under the content-addressed name whose bytes are not what the name says (a
    write cut short by a full disk) is not trusted: the next push stores the image whole."""
    content = image_bytes("PNG", size=(64, 48))
    post_images(pusher, [("a.png", content)])
    image = ItemImage.objects.get()
    path = Path(default_storage.path(image.file.name))
    path.write_bytes(content[: len(content) // 2])
    ItemImage.objects.all().delete()  # as if the earlier push had died before its row

    response = post_images(pusher, [("a.png", content)])

    assert response.status_code == 200
    assert stored_bytes(ItemImage.objects.get()) == content


def noisy_png(width: int, height: int) -> bytes:
    """A PNG that does not compress: about width × height × 3 bytes."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_full_disk_answers_503_in_the_envelope_leaves_no_partial_file_and_the_retry_stores_it(
    pusher, tiny_disk, settings
):
    """CONTRACT 2.2: storage trouble is transient (CATAPULT retries a 503), never an HTML
    500; what was written is whole or absent, so the retry repairs everything."""
    settings.MEDIA_ROOT = tiny_disk
    filler = tiny_disk / "other-files"
    filler.write_bytes(b"x" * 28 * 1024)  # 36 KiB left: the raw push (~23 KB) fits, the image beside it does not
    content = noisy_png(90, 85)
    assert 20_000 < len(content) < 26_000

    response = post_images(pusher, [("full.png", content)])

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json" and response["Retry-After"]
    assert response.json() == {
        "success": False,
        "message": "Temporarily unavailable (file storage); nothing was stored, please retry.",
    }
    assert ItemImage.objects.count() == 0
    failed = Push.objects.get()
    assert (failed.status, failed.http_status) == ("failed", 503) and "storage" in failed.message
    blobs = [path for path in tiny_disk.rglob("*") if path.is_file() and "item-images" in path.parts]
    assert blobs == []  # no truncated image, no .partial left behind

    filler.unlink()  # the operator makes room
    for path in tiny_disk.rglob("*.multipart"):
        path.unlink()
    retry = post_images(pusher, [("full.png", content)])

    assert retry.status_code == 200, retry.json()
    assert stored_bytes(ItemImage.objects.get()) == content
