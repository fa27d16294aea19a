"""Issue 15, "Indonesian throughout": the reader's, the validators' and the forms' messages come out in Indonesian by
default and in English with ``set_language("en")``; pydantic's own messages are translated by error type.

Each test reads the same bad input twice (Indonesian, then English) and checks a phrase of each text, the row and
the field; the texts themselves live at the call sites (``_()``), these tests check that a user gets them.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import openpyxl
import pytest

from outreach_planner.errors import InputError, InputWarning
from outreach_planner.i18n import set_language
from outreach_planner.io import read_workspace

SMALL = Path(__file__).resolve().parent / "data" / "small"


from plaintext import flat  # noqa: E402  (words, not the terminal's wrapping)


@pytest.fixture(autouse=True)
def _indonesian_by_default(monkeypatch):
    """The default is Indonesian: not even an OUTREACH_LANG of the shell running the tests changes it here."""
    monkeypatch.delenv("OUTREACH_LANG", raising=False)
    yield
    set_language(None)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(SMALL, root)
    return root


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def problems_in(lang: str | None, path: Path) -> tuple[str, list]:
    """(the error's text, its problems) of reading ``path`` in ``lang`` (None: the default)."""
    set_language(lang)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        with pytest.raises(InputError) as info:
            read_workspace(path)
    return flat(info.value), info.value.problems


def both(path: Path) -> tuple[str, str]:
    id_text, _ = problems_in(None, path)
    en_text, _ = problems_in("en", path)
    return id_text, en_text


# --------------------------------------------------------------------------- workspace.toml
def test_a_quoted_number_in_workspace_toml(ws):
    replace_in(ws / "workspace.toml", "minutes_per_person = 8", 'minutes_per_person = "8"')
    id_text, en_text = both(ws)
    assert "1 masalah pada masukan" in id_text
    assert ("kolom 'minutes_per_person': seharusnya angka, tetapi tertulis teks (dalam tanda kutip); tulis tanpa "
            "tanda kutip: minutes_per_person = 8") in id_text
    assert "expected a number, got text (in quotes); write it without quotes: minutes_per_person = 8" in en_text


def test_a_team_with_an_unknown_depot(ws):
    replace_in(ws / "workspace.toml", 'depot = "office"\ndays = ["mon", "tue", "wed", "thu", "fri"]\n',
               'depot = "kantor2"\ndays = ["mon", "tue", "wed", "thu", "fri"]\n')
    id_text, en_text = both(ws)
    assert "tim 'tim1', kolom 'depot': kantor (depot) tidak dikenal; yang ada: office (nilai: 'kantor2')" in id_text
    assert "team 'tim1', field 'depot': unknown depot; known: office (value: 'kantor2')" in en_text


@pytest.mark.parametrize("old,new,id_says,en_says", [
    # pydantic's own messages, by error type: greater_than, extra_forbidden, literal_error, missing
    ("minutes_per_person = 8", "minutes_per_person = 0", "harus lebih besar dari 0", "must be greater than 0"),
    ("turnout = 0.35", "turnout = 0.35\nturn_out = 0.4", "kolom 'turn_out': kunci tidak dikenal di sini",
     "field 'turn_out': unknown key here"),
    ('vehicle = "car"', 'vehicle = "car"\nactivities_x = 1', "kolom 'activities_x': kunci tidak dikenal",
     "field 'activities_x': unknown key"),
    ('name_id = "Akta kelahiran"\n', "", "kolom 'name_id': wajib diisi, tetapi tidak ada",
     "field 'name_id': required, but missing"),
])
def test_pydantic_messages_by_type(ws, old, new, id_says, en_says):
    replace_in(ws / "workspace.toml", old, new)
    id_text, en_text = both(ws)
    assert id_says in id_text and en_says in en_text
    assert "Input should" not in id_text and "Field required" not in id_text and "Extra inputs" not in id_text


def test_a_literal_error_lists_the_allowed_values_with_the_language_s_or(ws):
    replace_in(ws / "workspace.toml", 'activities = ["delivery"]', 'activities = ["antar"]')
    id_text, en_text = both(ws)
    assert ("kolom 'activities.0': nilai tidak dikenal; yang boleh: 'village_session', 'school_session', "
            "'home_visit' atau 'delivery' (nilai: 'antar')") in id_text
    assert "unknown value; allowed: 'village_session', 'school_session', 'home_visit' or 'delivery'" in en_text


def test_an_unlisted_pydantic_type_falls_back_to_a_generic_text():
    from outreach_planner.io.read import _pydantic_message

    e = {"type": "uuid_parsing", "loc": ("x",), "msg": "Input should be a valid UUID", "input": "a"}
    set_language(None)
    assert _pydantic_message(e) == "nilai tidak valid (uuid_parsing)"
    set_language("en")
    assert _pydantic_message(e) == "Input should be a valid UUID"


def test_a_validator_s_own_message(ws):
    replace_in(ws / "workspace.toml", 'fri = "08:00-11:30"', 'fri = "11:30-08:00"')
    id_text, en_text = both(ws)
    assert "selesai (08:00) sebelum atau tepat saat mulai (11:30); jam selesai harus lebih lambat" in id_text
    assert "closes (08:00) before or when it opens (11:30); the end must be later than the start" in en_text
    assert "Value error" not in id_text + en_text


# --------------------------------------------------------------------------- layers
def test_a_pydantic_error_in_a_layer_row(ws):
    """A home-visit request with a reason that is not one of the allowed codes: the row, the field, the value."""
    replace_in(ws / "home_visit_requests.csv", ",elderly,ektp,", ",lansia_x,ektp,")
    id_text, en_text = both(ws)
    assert ("home_visit_requests.csv, baris 2 (id hv1), kolom 'reason': nilai tidak dikenal; yang boleh: 'elderly', "
            "'disabled' atau 'sick' (nilai: 'lansia_x')") in id_text
    assert ("home_visit_requests.csv, row 2 (id hv1), field 'reason': unknown value; allowed: 'elderly', "
            "'disabled' or 'sick' (value: 'lansia_x')") in en_text
    assert "Nenek" not in id_text + en_text  # the resident's name is never in a message


def test_a_bad_nik_is_masked_in_both_languages(ws):
    replace_in(ws / "home_visit_requests.csv", "7408010101500001", "740801010150001")
    id_text, en_text = both(ws)
    assert "NIK terdiri dari 16 digit, tertulis 15 karakter (************0001)" in id_text
    assert "a NIK has 16 digits, got 15 characters (************0001)" in en_text
    assert "740801010150001" not in id_text + en_text


def test_an_unknown_village_code_and_a_rejected_village_s_echo(ws):
    """A school naming an unknown code is reported in Indonesian too; a row naming a village whose own row was
    rejected is not (the reader recognises the message in either language)."""
    replace_in(ws / "schools.csv", "SMA,74.08.01.1001", "SMA,74.08.01.9999")  # smp2 names 74.08.01.2003
    header, *rows = (ws / "villages.csv").read_text(encoding="utf-8").splitlines()
    cols = header.split(",")
    i = next(k for k, r in enumerate(rows) if r.startswith("74.08.01.2003,"))
    cells = rows[i].split(",")
    cells[cols.index("population")] = "dua ribu"
    rows[i] = ",".join(cells)
    (ws / "villages.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    for lang, says in ((None, "kode desa tidak dikenal"), ("en", "unknown village code")):
        text, problems = problems_in(lang, ws)
        assert [(p.field, p.value) for p in problems] == [("population", "dua ribu"), ("village_code", "74.08.01.9999")]
        assert says in text


def test_a_missing_layer_file_and_an_unknown_section(ws):
    replace_in(ws / "workspace.toml", 'schools = "schools.csv"', 'schools = "sekolah.csv"\n[extra]\nx = 1')
    id_text, en_text = both(ws)
    assert "berkas tidak ditemukan" in id_text and "bagian tidak dikenal; yang boleh:" in id_text
    assert "file not found" in en_text and "unknown section; allowed:" in en_text


# --------------------------------------------------------------------------- field trips without lodgings
def _warnings_of(lang: str | None, path: Path) -> list[str]:
    set_language(lang)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_workspace(path)
    return [flat(w.message) for w in caught if issubclass(w.category, InputWarning)]


def test_field_trips_without_lodgings_warn(ws):
    assert not [w for w in _warnings_of(None, ws) if "field_trips" in w]
    replace_in(ws / "workspace.toml", 'id = "tim1"\n', 'id = "tim1"\nfield_trips = true\n')
    (id_warning,) = [w for w in _warnings_of(None, ws) if "field_trips" in w]
    assert ("tim 'tim1' boleh melakukan perjalanan dinas (field_trips = true), tetapi wilayah kerja ini tidak punya "
            "penginapan, jadi hanya perjalanan pulang hari yang direncanakan") in id_warning
    (en_warning,) = [w for w in _warnings_of("en", ws) if "field_trips" in w]
    assert "team 'tim1' may go on field trips (field_trips = true), but the workspace has no lodgings" in en_warning
    # with a lodgings layer: no warning
    (ws / "lodgings.csv").write_text("id,name,kind,lon,lat\nbalai1,Balai Desa,balai_desa,120.8861,-3.5168\n",
                                     encoding="utf-8")
    replace_in(ws / "workspace.toml", 'schools = "schools.csv"', 'schools = "schools.csv"\nlodgings = "lodgings.csv"')
    assert not [w for w in _warnings_of(None, ws) if "field_trips" in w]


# --------------------------------------------------------------------------- the outcomes form
def test_an_outcomes_form_without_its_sheet(tmp_path):
    from outreach_planner.io.outcomes import read_outcomes_form

    book = tmp_path / "hasil.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Lembar1"
    wb.active.append(["nomor", "catatan"])
    wb.active.append([1, "x"])
    wb.save(book)
    texts = {}
    for lang in (None, "en"):
        set_language(lang)
        with pytest.raises(InputError) as info:
            read_outcomes_form(book)
        texts[lang] = flat(info.value)
    assert "hasil.xlsx, baris 1, kolom 'plan_id': formulir ini tidak punya kolom 'plan_id'" in texts[None]
    assert "catat outcomes_form.csv atau .xlsx yang ditulis plan" in texts[None]
    assert "hasil.xlsx, row 1, field 'plan_id': the form has no column 'plan_id'" in texts["en"]
    assert "record the outcomes_form.csv or .xlsx that plan wrote" in texts["en"]


def test_an_outcomes_csv_that_is_a_workbook(tmp_path):
    from outreach_planner.io.outcomes import read_outcomes_form

    book = tmp_path / "hasil.xlsx"
    openpyxl.Workbook().save(book)
    form = tmp_path / "hasil.csv"
    form.write_bytes(book.read_bytes())
    set_language(None)
    with pytest.raises(InputError, match="ini buku kerja Excel, bukan berkas CSV"):
        read_outcomes_form(form)
    set_language("en")
    with pytest.raises(InputError, match="this is an Excel workbook, not a CSV file"):
        read_outcomes_form(form)


# --------------------------------------------------------------------------- the office's workbook

def test_an_unmatched_office_row_given_a_code_not_in_the_workspace(tmp_path, konut):
    """The planner answers an unmatched row with a village code the workspace does not have."""
    import csv

    from outreach_planner.io.office_import import import_counts
    from test_init_import import dinas_workbook

    ws = tmp_path / "konut"
    shutil.copytree(konut, ws)
    book = tmp_path / "REKAP.xlsx"
    dinas_workbook(book, "74.09", extra="Desa Tidak Ada Di Peta")
    res = import_counts(ws, book)
    assert not res.written and [r.name for r in res.unresolved] == ["Desa Tidak Ada Di Peta"]
    with open(res.row_file, encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    row = next(r for r in rows if r["nama_di_berkas"] == "Desa Tidak Ada Di Peta")
    row["kode_desa"] = "74.09.99.2001"
    texts = {}
    for lang in (None, "en"):
        with open(res.row_file, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        set_language(lang)
        with pytest.raises(InputError) as info:
            import_counts(ws, book)
        texts[lang] = flat(info.value)
    n = row["baris"]
    assert f"REKAP.rows.csv, baris {n}, kolom 'kode_desa': kode desa tidak ada di wilayah kerja ini" in texts[None]
    assert f"REKAP.rows.csv, row {n}, field 'kode_desa': no village with this code in the workspace" in texts["en"]


def test_a_message_knows_its_key_in_either_language_and_stays_a_plain_string():
    """The desk recognises a model message by its catalogue key, not by its (language-dependent) text."""
    import json
    import pickle

    from outreach_planner.i18n import Message, _, set_language

    try:
        for lang, text in (("id", "belum ada 3 tim"), ("en", "no 3 teams yet")):
            set_language(lang)
            m = _("test.key", id="belum ada {n} tim", en="no {n} teams yet", n=3)
            assert isinstance(m, Message) and m == text and m.key == "test.key" and m.values == {"n": 3}
            back = pickle.loads(pickle.dumps(m))
            assert back == text and back.key == "test.key" and back.values == {"n": 3}
            assert json.loads(json.dumps({"m": m})) == {"m": text}
    finally:
        set_language(None)


def test_a_visit_window_without_hours_is_a_clear_error_not_a_crash():
    """`_from_text` once bound `_` to the separator of `text.partition(" ")`, so the message call itself failed."""
    import pydantic

    from outreach_planner.model.calendar import Window

    with pytest.raises(pydantic.ValidationError) as err:
        Window.model_validate("mon")
    assert "HARI HH:MM-HH:MM" in str(err.value)
