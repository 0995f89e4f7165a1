"""A kept cache file is read back as written, and anything else about it
(cut short, another kind, other code, another Python) only means the work
is done again."""

from __future__ import annotations

from generator import cache_file

FIELDS = {
    "code": "c1",
    "papers": {"a-paper": b"\x01\x02"},
    "cands": {"a-paper": {("large", "language", "model"): "large language models"}},
    "kept": {("diffusion",), ("graph", "network")},
    "counts": ({("diffusion",): 3}, {}),
}


def test_plain_fields_are_read_back_as_saved(tmp_path):
    path = tmp_path / "state.marshal"
    cache_file.save_plain(path, "CountState", FIELDS)
    assert cache_file.load_plain(path, "CountState", "c1") == FIELDS
    assert not path.with_name(path.name + ".tmp").exists()


def test_a_plain_file_of_another_kind_code_or_python_is_not_read(tmp_path, monkeypatch):
    path = tmp_path / "state.marshal"
    assert cache_file.load_plain(path, "CountState", "c1") is None  # missing
    cache_file.save_plain(path, "CountState", FIELDS)
    assert cache_file.load_plain(path, "Shown", "c1") is None
    assert cache_file.load_plain(path, "CountState", "c2") is None
    monkeypatch.setattr(cache_file.sys, "version", "3.99.0 (elsewhere)")
    assert cache_file.load_plain(path, "CountState", "c1") is None


def test_a_plain_file_cut_short_or_garbled_is_not_read(tmp_path):
    path = tmp_path / "state.marshal"
    cache_file.save_plain(path, "CountState", FIELDS)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    assert cache_file.load_plain(path, "CountState", "c1") is None
    path.write_bytes(b"not a cache at all")
    assert cache_file.load_plain(path, "CountState", "c1") is None
