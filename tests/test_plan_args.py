"""``plan`` and ``replan`` check every argument before they read the ledger, solve or write: a bad one exits 2
and leaves the ledger and the output folders exactly as they were."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outreach_planner.cli import app
from outreach_planner.campaign.ledger import Ledger

#: These tests assert on the English texts of the messages (Indonesian is the default: test_indonesian_path.py).
pytestmark = pytest.mark.usefixtures("english")

SMALL = Path(__file__).resolve().parent / "data" / "small"
FAST = ["--solution-limit", "30", "--engine", "ortools"]


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` except the ledger's own files, with the ledger's rows as text."""
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
             if p.is_file() and ".sqlite" not in p.name}
    ledger = root / "ws" / "ledger.sqlite"
    if ledger.exists():
        with Ledger(ledger) as led:
            files["ledger rows"] = "\n".join(led.dump()).encode()
    return files


@pytest.fixture
def root(tmp_path, monkeypatch):
    """tmp_path with a copy of the small workspace (and an empty ledger) in ws/; the working directory."""
    shutil.copytree(SMALL, tmp_path / "ws")
    Ledger(tmp_path / "ws" / "ledger.sqlite").close()
    (tmp_path / "taken").write_text("not a folder\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the default out/<week>/ would land here
    return tmp_path


def _run(args: list[str]):
    return CliRunner().invoke(app, args)


@pytest.mark.parametrize("bad", [
    ["--week", "2026-W60"],  # a week that does not exist
    ["--week", "2026-W49", "--out", "taken"],  # an existing file
    ["--week", "2026-W49", "--out", "taken/W49"],  # a folder inside a file
    ["--week", "2026-W49", "--lang", "fr"],
], ids=["week", "out-file", "out-in-file", "lang"])
def test_bad_plan_argument_exits_2_and_changes_nothing(root, bad):
    before = _snapshot(root)
    res = _run(["plan", str(root / "ws"), "--solution-limit", "30", *bad])
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert _snapshot(root) == before
    assert sorted(p.name for p in root.iterdir()) == ["taken", "ws"]  # no out/, no staging folder


def test_engine_that_cannot_model_the_week_changes_nothing(root, monkeypatch):
    """An engine refusal is only known once the problem is built: still before the ledger is written."""
    import outreach_planner.planning.planner as planner

    monkeypatch.setattr(planner, "engine_refusal", lambda name, problem: f"the {name} engine cannot model this")
    before = _snapshot(root)
    res = _run(["plan", str(root / "ws"), "--week", "2026-W49", "--solution-limit", "30", "--engine", "pyvrp"])
    assert res.exit_code == 2 and "cannot model this" in " ".join(res.output.split())
    assert _snapshot(root) == before
    assert sorted(p.name for p in root.iterdir()) == ["taken", "ws"]


def test_plan_out_file_is_refused_before_solving(root):
    res = _run(["plan", str(root / "ws"), "--week", "2026-W49", *FAST, "--out", "taken"])
    text = " ".join(res.output.split())
    assert res.exit_code == 2 and "taken is a file" in text
    assert "Plan 2026-W49" not in text  # refused before the solve, not after


@pytest.mark.parametrize("bad", [
    ["--out", "taken"],
    ["--team-off", "nobody"],
    ["--plan", "taken"],  # not a plan.json
], ids=["out-file", "team-off", "plan-file"])
def test_bad_replan_argument_exits_2_and_changes_nothing(root, bad):
    plan = _run(["plan", str(root / "ws"), "--week", "2026-W49", *FAST, "--out", str(root / "w49")])
    assert plan.exit_code == 0, plan.output
    (root / "ws" / "ledger.sqlite").unlink()  # replan with --plan would create it and issue the plan
    for side in root.glob("ws/ledger.sqlite-*"):
        side.unlink()
    before = _snapshot(root)
    args = ["replan", "--from", "2026-12-02", "--workspace", str(root / "ws"), *FAST]
    if "--plan" not in bad:
        args += ["--plan", str(root / "w49" / "plan.json")]
    res = _run(args + bad)
    assert res.exit_code == 2, res.output
    assert _snapshot(root) == before
    assert not (root / "ws" / "ledger.sqlite").exists()
    assert sorted(p.name for p in root.iterdir()) == ["taken", "w49", "ws"]
