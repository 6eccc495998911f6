"""Stored images are shown to staff, and to nobody else, with DEBUG off."""

import pytest
from django.contrib.auth.models import Permission
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


@pytest.fixture
def stored_push_body():
    path = default_storage.save("pushes/2026/12/01/7.multipart", ContentFile(b"--raw push body--"))
    yield path
    default_storage.delete(path)


def test_a_raw_push_body_needs_the_push_logs_view_permission(client, django_user_model, stored_push_body):
    clerk = django_user_model.objects.create_user("clerk", password="pass-word-123", is_staff=True)
    client.force_login(clerk)
    assert client.get(f"/media/{stored_push_body}").status_code == 403
    assert client.get(f"/media//{stored_push_body}").status_code in (403, 404)  # never served
    assert client.get(f"/media/item-images/../{stored_push_body}").status_code == 403

    clerk.user_permissions.add(Permission.objects.get(content_type__app_label="ecrs_hub", codename="view_push"))
    client.force_login(django_user_model.objects.get(pk=clerk.pk))
    response = client.get(f"/media/{stored_push_body}")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"--raw push body--"


def test_staff_without_the_push_permission_still_see_item_images(client, django_user_model, stored_file):
    clerk = django_user_model.objects.create_user("clerk", password="pass-word-123", is_staff=True)
    client.force_login(clerk)
    assert client.get(f"/media/{stored_file}").status_code == 200
