"""Stored images are shown to staff, and to nobody else, with DEBUG off."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored_file():
    path = default_storage.save("item-images/ab/test.png", ContentFile(b"\x89PNG fake"))
    yield path
    default_storage.delete(path)


def test_staff_get_a_stored_file(staff_client, stored_file):
    response = staff_client.get(f"/media/{stored_file}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x89PNG fake"
    assert response["Content-Type"] == "image/png"


def test_anonymous_visitors_are_sent_to_the_login(client, stored_file):
    response = client.get(f"/media/{stored_file}")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("path", ["item-images/missing.png", "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd"])
def test_missing_files_and_paths_outside_storage_are_404(staff_client, path):
    assert staff_client.get(f"/media/{path}").status_code == 404
