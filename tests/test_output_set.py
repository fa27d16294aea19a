"""``io.output_set``: a set of files replaces its predecessor at once, keeps what it does not claim, and cleans
up after runs that died while writing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from outreach_planner.io.output_set import NO_EXCHANGE_ENV, output_set, recover


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def _old(dest: Path) -> None:
    (dest / "sheets").mkdir(parents=True)
    for name, text in {"plan.json": "old", "map.html": "old", "sheets/t_2026-12-01.pdf": "old",
                       "sheets/t_2026-12-14.pdf": "other week", "catatan.txt": "mine",
                       ".plan.json.0123456789ab.tmp": "crashed", "sheets/.x.pdf.0123456789ab.tmp.pdf": "crashed",
                       ".plan.gpkg.0123456789ab.tmp.gpkg-journal": "crashed"}.items():
        (dest / name).write_text(text)


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_set_replaces_what_it_claims_keeps_the_rest_and_drops_old_temp_files(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setenv(NO_EXCHANGE_ENV, "1")
    dest = tmp_path / "out" / "2026-W49"
    _old(dest)
    inode = os.stat(dest / "catatan.txt").st_ino
    with output_set(dest, claim=["plan.json", "map.html", lambda rel: rel == "sheets/t_2026-12-01.pdf"]) as s:
        assert s.path.parent == dest.parent and s.path.name.startswith(".2026-W49.tmp-")
        (s.path / "plan.json").write_text("new")
        (s.path / "sheets").mkdir()
        (s.path / "sheets" / "t_2026-12-02.pdf").write_text("new")
        assert _tree(dest)["plan.json"] == "old"  # nothing visible before the block ends
    assert _tree(dest) == {"plan.json": "new", "catatan.txt": "mine", "sheets/t_2026-12-02.pdf": "new",
                           "sheets/t_2026-12-14.pdf": "other week"}
    assert os.stat(dest / "catatan.txt").st_ino == inode  # kept by a hard link, not copied
    assert sorted(p.name for p in dest.parent.iterdir()) == ["2026-W49"]


def test_an_error_leaves_the_old_set_and_no_staging_folder(tmp_path):
    dest = tmp_path / "2026-W49"
    _old(dest)
    before = _tree(dest)
    with pytest.raises(RuntimeError):
        with output_set(dest, claim=["plan.json"]) as s:
            (s.path / "plan.json").write_text("half")
            raise RuntimeError("disk full")
    assert _tree(dest) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-W49"]


def test_writers_called_with_the_staging_folder_join_the_set(tmp_path):
    dest = tmp_path / "w"
    with output_set(dest, claim=["a"]) as outer:
        with output_set(outer.path, claim=["b"]) as inner:
            assert inner is outer
            (inner.path / "b").write_text("b")
        assert not dest.exists()
    assert _tree(dest) == {"b": "b"}


def test_recover_restores_an_old_set_whose_switch_was_cut_and_removes_staging_folders(tmp_path):
    (tmp_path / ".2026-W49.old-0123456789ab").mkdir()
    (tmp_path / ".2026-W49.old-0123456789ab" / "plan.json").write_text("old")
    (tmp_path / ".2026-W49.tmp-0123456789ab").mkdir()  # the new set, complete or not
    (tmp_path / "2026-W50").mkdir()
    (tmp_path / ".2026-W50.old-aaaaaaaaaaaa").mkdir()  # switch done, old set not removed yet
    (tmp_path / ".2026-W50.tmp-bbbbbbbbbbbb").mkdir()  # after an exchange: the old set
    (tmp_path / ".hidden-notes").mkdir()  # not ours
    recover(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".hidden-notes", "2026-W49", "2026-W50"]
    assert (tmp_path / "2026-W49" / "plan.json").read_text() == "old"


def test_a_symlinked_destination_is_written_through(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "plan.json").write_text("old")
    (tmp_path / "current").symlink_to(real)
    with output_set(tmp_path / "current", claim=["plan.json"]) as s:
        (s.path / "plan.json").write_text("new")
    assert (tmp_path / "current").is_symlink() and (tmp_path / "current" / "plan.json").read_text() == "new"
