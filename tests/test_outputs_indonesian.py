"""Issue 15, "no code and no English on the way": what a new user's trial in the default language still found in
the outputs and the CLI: codes shown as reasons and travel modes, English number formats (58,412 / 90.01%), miles
on the map's scale bar, a warning about population 0 on every command, villages counted but not named."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from outreach_planner import reference
from outreach_planner.cli import app
from outreach_planner.i18n import fmt_dec, fmt_int, fmt_pct, set_language
from outreach_planner.io import read_workspace
from outreach_planner.planning.coverage import regency_coverage
from outreach_planner.render.strings import labels

from test_init_import import flat

runner = CliRunner()
SMALL = Path(__file__).parent / "data" / "small"


def test_number_helpers_follow_the_language():
    assert (fmt_int(58412, "id"), fmt_int(58412, "en")) == ("58.412", "58,412")
    assert (fmt_pct(0.90012, 2, "id"), fmt_pct(0.90012, 2, "en")) == ("90,01%", "90.01%")
    assert (fmt_dec(4958.94, 1, "id"), fmt_dec(4958.94, 1, "en")) == ("4.958,9", "4,958.9")
    set_language("en")
    try:
        assert fmt_int(1234567) == "1,234,567"  # the language in use when none is given
    finally:
        set_language(None)
    assert fmt_int(1234567) == "1.234.567"



def test_check_figures_in_indonesian_and_english(konut_counted):
    """Before: 'Perekaman e-KTP │ 58,412 │ 52,575 │ 90.01%' in Indonesian; the English stays 58,412 / 90.01%."""
    ws = read_workspace(konut_counted)
    r = next(x for x in regency_coverage(ws) if x.service == "ektp")
    assert r.eligible >= 1000  # the grouping shows
    # a table row is read at a width that holds it (the test sets it: not the terminal's)
    said = {lang: flat(runner.invoke(app, ["check", str(konut_counted), "--lang", lang], env={"COLUMNS": "200"}).output)
            for lang in ("id", "en")}
    for lang, text in said.items():
        row = " ".join((fmt_int(r.eligible, lang), fmt_int(r.covered, lang), fmt_pct(r.coverage, 2, lang),
                         fmt_pct(r.target, 2, lang)))
        assert row in text, (lang, row)
    assert f"{r.eligible:,}".replace(",", ".") in said["id"] and f"{r.eligible:,}" not in said["id"]
    assert not re.search(r"\d\.\d\d%", said["id"])  # no 90.01% in Indonesian


def test_check_names_travel_modes_in_words(konut_counted):
    """Before: 'dihubungkan 1 penyeberangan untuk car'."""
    said = flat(runner.invoke(app, ["check", str(konut_counted)]).output)
    assert "penyeberangan untuk mobil;" in said and "untuk car" not in said
    said_en = flat(runner.invoke(app, ["check", str(konut_counted), "--lang", "en"]).output)
    assert "crossing(s) for car;" in said_en


def test_population_zero_is_named_once_by_check_not_warned_by_every_command(konut_counted):
    """Before: 'peringatan: villages.geojson, fitur 19 (code 74.09.01.2037): jumlah penduduk 0' on every command
    (plan, check, record, ...) with no fix. Population is for information only: check names those villages once."""
    zero = [v for v in reference.villages("74.09") if v.population == 0]
    assert zero  # the reference has villages with an estimate of 0
    res = runner.invoke(app, ["check", str(konut_counted)])
    assert res.exit_code == 0, res.output
    said = flat(res.output)
    assert ": jumlah penduduk 0" not in said and "(code " not in said
    import warnings

    with warnings.catch_warnings(record=True) as caught:  # what every command reads: no warning about it
        warnings.simplefilter("always")
        read_workspace(konut_counted)
    assert not [w for w in caught if "penduduk" in str(w.message)]
    named = ", ".join(f"{v.code} {v.name}" for v in zero[:3])
    assert f"{len(zero)} desa berjumlah penduduk 0 ({named}" in said and "boleh dibiarkan" in said
    assert said.count("penduduk 0") == 1


def test_check_names_the_few_villages_still_without_counts(konut_counted, tmp_path):
    """Before: 'untuk ektp: 2 desa', with no word of which."""
    import shutil

    ws = tmp_path / "konut"
    shutil.copytree(konut_counted, ws)
    data = json.loads((ws / "villages.geojson").read_text(encoding="utf-8"))
    blank = data["features"][3:5]
    for f in blank:
        f["properties"]["ektp_eligible"] = f["properties"]["ektp_covered"] = None
    (ws / "villages.geojson").write_text(json.dumps(data), encoding="utf-8")
    res = runner.invoke(app, ["check", str(ws)])
    assert res.exit_code == 2
    which = ", ".join(f"{f['properties']['code']} {f['properties']['name']}"
                      for f in sorted(blank, key=lambda f: f["properties"]["code"]))
    assert f"untuk ektp: 2 desa ({which})." in flat(res.output)


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    out = tmp_path_factory.mktemp("outid_plan") / "out"
    res = runner.invoke(app, ["plan", str(SMALL), "--week", "2026-W49", "--solution-limit", "30", "--engine",
                              "ortools", "--time-limit", "600", "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out, flat(res.output)


def test_plan_table_of_visits_left_out_gives_reasons_in_words(planned):
    """Before: 'low_value: Nilainya lebih rendah ...' (the code as a prefix)."""
    out, said = planned
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    reasons = {u["reason"] for u in plan["unassigned"]}
    assert reasons
    texts = labels("id")["unassigned_reason"]
    for code in reasons:
        assert texts[code] in said and f"{code}:" not in said
    s = plan["summary"]  # the figures of the head line in Indonesian
    assert f"nilai {fmt_dec(s['value_collected'], 1, 'id')} dari {fmt_dec(s['value_available'], 1, 'id')}" in said


def test_map_scale_bar_is_metric_and_popups_use_indonesian_decimals(planned):
    """Before: folium's L.control.scale() showed miles too; coverage popups read 90.1%."""
    out, _ = planned
    html = (out / "map.html").read_text(encoding="utf-8")
    assert "L.control.scale({metric: true, imperial: false})" in html
    assert "L.control.scale()" not in html
    cover = re.findall(r'"coverage": "([^"]*%)"', html)
    assert cover and all(re.fullmatch(r"\d+,\d%", c) for c in cover), cover[:5]


# --------------------------------------------------------------------------- click's own usage errors
@pytest.mark.parametrize("args, says", [
    (["plan", "--x"], "Opsi --x tidak ada."),
    (["convert"], "Opsi '--out' wajib diberikan."),
    (["record"], "Argumen '[WORKSPACE] OUTCOMES' belum diberikan."),
    (["plan", "--solution-limit", "abc"], "Nilai tidak sah untuk '--solution-limit': harus bilangan bulat."),
    (["plan", "--engine", "foo"], "Nilai tidak sah untuk '--engine': 'foo' bukan salah satu dari 'auto',"),
    (["plan", "--week"], "Opsi '--week' memerlukan nilai."),
    (["check", "a", "b", "c"], "Argumen tambahan yang tidak dikenal: b c"),
    (["plann"], "Perintah 'plann' tidak ada. Maksudnya 'plan'"),
])
def test_usage_errors_are_indonesian_by_default(args, says, monkeypatch):
    """Before: click's English ('No such option: --x', 'Missing option', 'Invalid value for', 'Usage:')."""
    monkeypatch.delenv("OUTREACH_LANG", raising=False)
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    text = flat(res.output)
    assert says in text, text
    assert "Galat" in text
    if args != ["plan", "--week"]:  # click gives that one no usage line
        assert "Penggunaan: outreach-planner" in text and "untuk bantuan" in text and "[OPSI]" in text
    assert not re.search(r"\b(Usage|Missing|No such|Invalid value|Try|for help|Got unexpected|requires)\b", text)


def test_usage_errors_in_english_with_lang_en():
    """English with --lang en (before or after the command: a subprocess, as a user types it) or OUTREACH_LANG."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OUTREACH_LANG"}
    for args in (["plan", "--lang", "en", "--x"], ["--lang", "en", "plan", "--x"]):
        proc = subprocess.run([sys.executable, "-m", "outreach_planner.cli", *args], capture_output=True, text=True,
                              env=env, timeout=120)
        text = flat(proc.stdout + proc.stderr)
        assert proc.returncode == 2 and "No such option: --x" in text and "Usage: " in text, text
        assert "for help" in text and "Opsi" not in text
    res = runner.invoke(app, ["plan", "--solution-limit", "abc"], env={"OUTREACH_LANG": "en"})
    assert "Invalid value for '--solution-limit': must be a whole number." in flat(res.output)


def test_province_summary_numbers_follow_the_language():
    """Before: the Indonesian province summary wrote '| ektp | 98% | 58,412 | 90.01% | ...'."""
    from outreach_planner.batch.summary import markdown

    cov = [{"service": "ektp", "eligible": 58412, "before": 0.90012, "after": 0.9021, "expected_people": 1170,
            "still_needed_after": 4552, "target": 0.98}]
    results = [{"status": "planned", "code": "74.09", "name": "Kabupaten Konawe Utara", "coverage": cov,
                "scheduled": 18, "candidates": 285, "travel_hours": 1.4, "distance_km": 1056.0, "nights_away": 0,
                "travel_model": "great_circle"}]
    text = markdown(results, "2026-W50", "Sulawesi Tenggara")
    assert "| ektp | 98% | 58.412 | 90,01% | 90,21% | 1.170 | 4.552 |" in text
    assert "| 18/285 | 1,4 | 1.056 | 0 | 90,0% → 90,2% (4.552) |" in text
    set_language("en")
    try:
        text = markdown(results, "2026-W50", "Sulawesi Tenggara")
    finally:
        set_language(None)
    assert "| ektp | 98% | 58,412 | 90.01% | 90.21% | 1,170 | 4,552 |" in text


def test_map_scale_bar_in_a_browser_shows_metres_or_kilometres_only(planned, tmp_path):
    """In headless chromium: one scale line, in km or m (before: a second line in miles)."""
    import time

    from browser import session, severe_console

    out, _ = planned
    with session("1200,800") as drv:
        drv.get((out / "map.html").as_uri())
        for _i in range(50):
            lines = drv.find_elements("css selector", ".leaflet-control-scale-line")
            if lines and lines[0].text:
                break
            time.sleep(0.1)
        texts = [e.text for e in lines]
        drv.save_screenshot(str(tmp_path / "map.png"))
        assert len(texts) == 1 and re.fullmatch(r"\d+ (km|m)", texts[0]), texts
        assert not severe_console(drv)
