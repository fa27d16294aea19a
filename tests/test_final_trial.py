"""Defects found in the last try of the new-regency path (issue 15) as a planner of Konawe Utara would, with the
default language: the messages of a few user mistakes and of the outputs that still spoke English or in codes."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from outreach_planner.cli import app
from outreach_planner.week import Week

runner = CliRunner()


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(autouse=True)
def _indonesian(monkeypatch):
    monkeypatch.delenv("OUTREACH_LANG", raising=False)


def test_a_week_number_the_year_does_not_have_is_said_in_indonesian():
    """Before: ``plan --week 2026-W60`` printed Python's 'Invalid week: 60'."""
    with pytest.raises(ValueError) as e:
        Week.parse("2026-W60")
    assert str(e.value) == "tahun 2026 tidak punya minggu ke-60 (tertulis '2026-W60')"
    res = runner.invoke(app, ["plan", "--week", "2026-W60", "--solution-limit", "1"])
    assert res.exit_code == 2
    assert "tahun 2026 tidak punya minggu ke-60" in flat(res.output) and "Invalid" not in res.output


@pytest.mark.parametrize("args, says", [
    (["simulate", "--weeks", "-2"], "Nilai tidak sah untuk '--weeks': paling sedikit 1."),
    (["plan", "--time-limit", "0.2"], "Nilai tidak sah untuk '--time-limit': paling sedikit 1."),
    (["simulate", "--time-limit", "0.1"], "Nilai tidak sah untuk '--time-limit': paling sedikit 0,5."),
])
def test_a_number_below_an_option_s_minimum_is_said_in_indonesian(args, says):
    """Before: typer's 'Input should be greater than or equal to 1' (a negative count of weeks)."""
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    text = flat(res.output)
    assert says in text, text
    assert not re.search(r"\b(Input|should|greater|equal)\b", text)


def test_record_given_only_a_workspace_folder_asks_for_the_form(tmp_path):
    """Before: ``record WS`` took the folder for the form, used the embedded workspace and said the (existing)
    folder was 'berkas tidak ditemukan'."""
    (tmp_path / "workspace.toml").write_text("")
    res = runner.invoke(app, ["record", str(tmp_path)])
    assert res.exit_code == 2
    text = flat(res.output)
    assert "adalah folder; berikan juga formulir hasil yang sudah diisi" in text, text
    assert "tidak ditemukan" not in text and "bawaan Kolaka Utara" not in text
    assert not (tmp_path / "ledger.sqlite").exists()
