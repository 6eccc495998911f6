"""Files are whole or absent (ecrs_hub.storage), also when the disk fills up."""

import hashlib
import os
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage

from ecrs_hub.storage import store_whole


def test_a_file_that_does_not_fit_leaves_nothing_behind_and_says_so(tiny_disk):
    storage = FileSystemStorage(location=tiny_disk)
    big = os.urandom(200 * 1024)

    with pytest.raises(OSError):
        store_whole("item-images/ab/big.png", big, storage=storage)

    assert not storage.exists("item-images/ab/big.png")
    assert [p.name for p in (tiny_disk / "item-images" / "ab").iterdir()] == []  # no .partial either


def test_once_there_is_room_the_same_file_is_stored_whole(tiny_disk):
    storage = FileSystemStorage(location=tiny_disk)
    filler = tiny_disk / "filler"
    filler.write_bytes(b"x" * 40 * 1024)
    data = os.urandom(30 * 1024)
    with pytest.raises(OSError):
        store_whole("f.bin", data, storage=storage)

    filler.unlink()
    assert store_whole("f.bin", data, storage=storage) is True
    assert (tiny_disk / "f.bin").read_bytes() == data


def test_an_existing_file_is_trusted_only_when_its_bytes_hash_right(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    data = b"whole file" * 100
    digest = hashlib.sha256(data).hexdigest()
    Path(tmp_path / "x.bin").write_bytes(data[:10])

    assert store_whole("x.bin", data, sha256=digest, storage=storage) is True
    assert (tmp_path / "x.bin").read_bytes() == data
    assert store_whole("x.bin", data, sha256=digest, storage=storage) is False  # whole now: kept
