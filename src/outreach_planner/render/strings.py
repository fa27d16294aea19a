"""Labels of the map and the route sheets, in Indonesian (default) and English.

One flat dict per language; :func:`labels` returns the one for ``lang``. Text that comes
with the plan (``Step.place``, ``Step.why``) is shown as the planner wrote it; the
explanation of a visit left out in the map's language (``Unassigned.detail`` in English,
``Unassigned.detail_id`` in Indonesian). Service names come from the workspace (``Service.name_id`` in Indonesian,
``Service.name`` in English).
"""

from __future__ import annotations

LANGS: tuple[str, ...] = ("id", "en")

ID: dict[str, object] = {
    # days and months, Monday / January first
    "days": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "days_short": ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"),
    "months": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
               "Oktober", "November", "Desember"),
    # visit kinds and steps
    "kind": {
        "village_session": "Sesi desa",
        "school_session": "Sesi sekolah",
        "home_visit": "Kunjungan rumah",
        "delivery": "Antar dokumen",
    },
    "break": "Istirahat",
    "step_type": {"visit": "Kunjungan", "break": "Istirahat", "night": "Bermalam"},
    "depart": "Berangkat dari kantor",
    "return": "Kembali ke kantor",
    "vehicle": {"car": "Mobil", "motorbike": "Sepeda motor", "boat": "Perahu", "walk": "Jalan kaki",
                "bicycle": "Sepeda", "truck": "Truk"},
    "reason": {"elderly": "lansia", "disabled": "disabilitas", "sick": "sakit"},
    "unassigned_reason": {
        "no_skill": "Tidak ada tim dengan keahlian untuk kunjungan ini (kegiatan, layanan atau alat perekaman).",
        "no_window": "Di luar semua jam kerja atau jadwal yang diminta minggu ini.",
        "unreachable": "Tidak bisa dicapai dan kembali dalam satu hari kerja.",
        "low_value": "Nilainya lebih rendah daripada kunjungan yang mengisi minggu ini.",
        "capacity": "Semua hari tim yang bisa mengambilnya sudah penuh kapasitas antarnya.",
        "same_day": "Hanya muat pada tanggal yang sudah ada sesi desanya (satu sehari).",
        "no_time": "Tidak ada hari tim yang bisa melakukannya yang punya waktu, bahkan tanpa kunjungan lain.",
        "missed": "Muat dan menambah nilai: pencarian berhenti sebelum menemukannya.",
        "forbidden": "Dilarang oleh perencana saat merencanakan ulang.",
    },
    # map
    "map_title": "Rencana jemput bola",
    "map_week": "Minggu",
    "map_generated": "dibuat",
    "coverage_layer": "Cakupan {service}",
    "legend_title": "Cakupan {service}",
    "legend_target": "target {target}",
    "legend_at_target": "mencapai target",
    "legend_below": "{lo}–{hi} poin di bawah target",
    "legend_below_open": "≥ {lo} poin di bawah target",
    "legend_no_data": "tidak ada data",
    "coverage": "Cakupan",
    "gap": "Kekurangan",
    "points_below": "{gap} poin di bawah target",
    "at_target": "mencapai target",
    "village": "Desa/kelurahan",
    "district": "Kecamatan",
    "office": "Kantor",
    "unassigned_layer": "Tidak terjadwal ({n})",
    "unassigned_title": "Tidak terjadwal",
    "reason_label": "Alasan",
    "value": "Nilai",
    "time": "Waktu",
    "arrive": "tiba",
    "wait_until": "tunggu sampai",
    "place": "Tempat",
    "activity": "Kegiatan",
    "expected": "Perkiraan orang",
    "why": "Alasan kunjungan",
    "resident": "Warga",
    "recipient": "Penerima",
    "address": "Alamat",
    "people": "org",
    "stops": "kunjungan",
    "team_days": "tim-hari",
    "all_routes": "Semua rute",
    "show": "tampilkan",
    "hide": "sembunyikan",
    # route sheet
    "sheet_title": "LEMBAR RUTE JEMPUT BOLA",
    "sheet_continued": "lanjutan",
    "team": "Tim",
    "members": "Anggota",
    "date": "Tanggal",
    "departure": "Berangkat",
    "return_time": "Kembali",
    "drive": "Perjalanan",
    "vehicle_label": "Kendaraan",
    "bring": "Bawa",
    "distance": "Jarak",
    "col_no": "No",
    "col_time": "Waktu",
    "col_place": "Tempat",
    "col_activity": "Kegiatan",
    "col_services": "Layanan (perkiraan)",
    "col_notes": "Catatan",
    "col_done": "Selesai",
    "col_tally": "Dilayani",
    "nik": "NIK",
    "windows": "jadwal",
    "document": "Dokumen",
    "due": "jatuh tempo",
    "item_kia_forms": "formulir KIA",
    "item_kit": "alat perekaman e-KTP",
    "item_akta_forms": "formulir akta kelahiran",
    "item_documents": "dokumen yang diantar",
    "t_arrive": "Tiba",
    "t_wait": "Tunggu",
    "t_start_end": "Mulai–Selesai",
    "t_break": "Istirahat",
    "minutes": "mnt",
    "overdue": "TERLAMBAT",
    "overdue_days": "{days} hari lewat jatuh tempo",
    "residents_bring": "Warga membawa",
    "session_place": "Tempat sesi",
    "contact": "Kontak",
    "note_approx": "lokasi perkiraan",
    "sign_leader": "Ketua Tim",
    "sign_head": "Kepala Dinas / Kepala Bidang",
    "sign_name": "Nama dan tanda tangan",
    "plan_id": "Rencana",
    "week": "minggu",
    "page": "Hal. {page}/{pages}",
    "north": "U",
    "map_legend_office": "Kantor",
    "map_legend_route": "Rute",
    "map_legend_stop": "Kunjungan",
    "no_visits": "Tidak ada kunjungan.",
    "roads_layer": "Jalan",
    "names_layer": "Nama desa",
    "legend_markers": "Keterangan",
    "travel_estimate": "waktu tempuh perkiraan dari garis lurus, bukan jalan",
    "legend_office": "Kantor (awal dan akhir rute)",
    "legend_stop": "Kunjungan, nomor urut hari itu",
    "legend_unassigned": "Kunjungan tidak terjadwal",
    "legend_road": "Jalan",
    "legend_day": "Hari ke-{n} tim minggu ini",
    # field trips
    "depart_from": "Berangkat dari {place}",
    "night_at": "Bermalam di {place}",
    "night_arrive": "tiba {time}",
    "trip": "Perjalanan dinas",
    "trip_label": "Perjadin",
    "trip_nights": "{n} malam",
    "trip_sleep": "bermalam di {places}",
    "trip_day": "hari {k} dari {n}",
    "trip_layer": "perjalanan {first}–{last}",
    "night_time": "Bermalam",
    "lodgings_layer": "Tempat bermalam",
    "legend_lodging": "Bermalam (perjalanan dinas), malam ke-n",
    "legend_lodging_all": "Tempat bermalam yang tersedia",
    "lodging": "Tempat bermalam",
    "nights_here": "Bermalam",
    "capacity": "Kapasitas",
    "teams": "tim",
}

EN: dict[str, object] = {
    "days": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "days_short": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "months": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"),
    "kind": {
        "village_session": "Village session",
        "school_session": "School session",
        "home_visit": "Home visit",
        "delivery": "Document delivery",
    },
    "break": "Break",
    "step_type": {"visit": "Visit", "break": "Break", "night": "Night away"},
    "depart": "Leave the office",
    "return": "Back at the office",
    "vehicle": {"car": "Car", "motorbike": "Motorbike", "boat": "Boat", "walk": "On foot", "bicycle": "Bicycle",
                "truck": "Truck"},
    "reason": {"elderly": "elderly", "disabled": "disabled", "sick": "sick"},
    "unassigned_reason": {
        "no_skill": "No team has the skills for this visit (activity, services or recording kit).",
        "no_window": "Outside every shift or availability window this week.",
        "unreachable": "Cannot be reached and returned from within a shift.",
        "low_value": "Lower value than the visits that filled the week.",
        "capacity": "Every team-day that could take it is at its delivery capacity.",
        "same_day": "It fits only on dates that already have a session of its village (one a day).",
        "no_time": "No team-day that could make it has the time for it, even with nothing else that day.",
        "missed": "It fits and would add value: the search stopped before it found this.",
        "forbidden": "The planner forbade it in a re-plan.",
    },
    "map_title": "Outreach plan",
    "map_week": "Week",
    "map_generated": "generated",
    "coverage_layer": "Coverage {service}",
    "legend_title": "Coverage {service}",
    "legend_target": "target {target}",
    "legend_at_target": "at or above target",
    "legend_below": "{lo}–{hi} points below target",
    "legend_below_open": "≥ {lo} points below target",
    "legend_no_data": "no data",
    "coverage": "Coverage",
    "gap": "Gap",
    "points_below": "{gap} points below target",
    "at_target": "at or above target",
    "village": "Village",
    "district": "District",
    "office": "Office",
    "unassigned_layer": "Not scheduled ({n})",
    "unassigned_title": "Not scheduled",
    "reason_label": "Reason",
    "value": "Value",
    "time": "Time",
    "arrive": "arrive",
    "wait_until": "wait until",
    "place": "Place",
    "activity": "Activity",
    "expected": "Expected people",
    "why": "Why this visit",
    "resident": "Resident",
    "recipient": "Recipient",
    "address": "Address",
    "people": "people",
    "stops": "visits",
    "team_days": "team-days",
    "all_routes": "All routes",
    "show": "show",
    "hide": "hide",
    "sheet_title": "OUTREACH ROUTE SHEET",
    "sheet_continued": "continued",
    "team": "Team",
    "members": "Members",
    "date": "Date",
    "departure": "Leave",
    "return_time": "Back",
    "drive": "Driving",
    "vehicle_label": "Vehicle",
    "bring": "Bring",
    "distance": "Distance",
    "col_no": "No",
    "col_time": "Time",
    "col_place": "Place",
    "col_activity": "Activity",
    "col_services": "Services (expected)",
    "col_notes": "Notes",
    "col_done": "Done",
    "col_tally": "Served",
    "nik": "NIK",
    "windows": "times",
    "document": "Document",
    "due": "due",
    "item_kia_forms": "KIA forms",
    "item_kit": "e-KTP recording kit",
    "item_akta_forms": "birth-certificate forms",
    "item_documents": "documents to deliver",
    "t_arrive": "Arrive",
    "t_wait": "Wait",
    "t_start_end": "Start–End",
    "t_break": "Break",
    "minutes": "min",
    "overdue": "OVERDUE",
    "overdue_days": "{days} days past due",
    "residents_bring": "Residents bring",
    "session_place": "Session at",
    "contact": "Contact",
    "note_approx": "approximate location",
    "sign_leader": "Team leader",
    "sign_head": "Head of office",
    "sign_name": "Name and signature",
    "plan_id": "Plan",
    "week": "week",
    "page": "Page {page}/{pages}",
    "north": "N",
    "map_legend_office": "Office",
    "map_legend_route": "Route",
    "map_legend_stop": "Visit",
    "no_visits": "No visits.",
    "roads_layer": "Roads",
    "names_layer": "Village names",
    "legend_markers": "Legend",
    "travel_estimate": "travel times estimated from straight lines, not roads",
    "legend_office": "Office (start and end of routes)",
    "legend_stop": "Visit, numbered in the day's order",
    "legend_unassigned": "Visit not scheduled",
    "legend_road": "Road",
    "legend_day": "Team's day {n} of the week",
    # field trips
    "depart_from": "Leave from {place}",
    "night_at": "Night at {place}",
    "night_arrive": "arrive {time}",
    "trip": "Field trip",
    "trip_label": "Trip",
    "trip_nights": "{n} nights",
    "trip_sleep": "sleeping at {places}",
    "trip_day": "day {k} of {n}",
    "trip_layer": "trip {first}–{last}",
    "night_time": "Night",
    "lodgings_layer": "Lodgings",
    "legend_lodging": "Night of a field trip (night n)",
    "legend_lodging_all": "Lodging available",
    "lodging": "Lodging",
    "nights_here": "Night",
    "capacity": "Capacity",
    "teams": "teams",
}

_BY_LANG: dict[str, dict[str, object]] = {"id": ID, "en": EN}

#: Short service labels for tally boxes; other services use their id in capitals.
SHORT_SERVICE: dict[str, str] = {"ektp": "e-KTP", "kia": "KIA", "akta": "Akta"}


def labels(lang: str = "id") -> dict[str, object]:
    """The labels for ``lang`` (``"id"`` or ``"en"``); raises ValueError for any other."""
    try:
        return _BY_LANG[lang]
    except KeyError:
        raise ValueError(f"unknown language {lang!r}; choose one of: {', '.join(LANGS)}") from None


def service_name(service, lang: str = "id") -> str:
    """The workspace's name of a service in ``lang`` (``name_id`` in Indonesian, ``name`` in English)."""
    return service.name_id if lang == "id" else service.name


def vehicle_name(profile: str, lang: str = "id", *, in_text: bool = False) -> str:
    """A travel profile's name for a person (``motorbike`` -> ``Sepeda motor``; ``in_text``: lower case, for the
    middle of a sentence); a profile without a name stays as written. Files keep the codes."""
    name = labels(lang)["vehicle"].get(profile, profile)
    return name.lower() if in_text and name != profile else name


def short_service(sid: str) -> str:
    """A short label for a service id (``"ektp"`` -> ``"e-KTP"``)."""
    return SHORT_SERVICE.get(sid, sid.upper())


def format_date(d, lang: str = "id", short: bool = False) -> str:
    """``Senin, 30 November 2026`` (``short``: ``Sen 30/11``)."""
    t = labels(lang)
    if short:
        return f"{t['days_short'][d.weekday()]} {d:%d/%m}"
    return f"{t['days'][d.weekday()]}, {d.day} {t['months'][d.month - 1]} {d.year}"


def week_words(week, lang: str = "id", dates=()) -> str:
    """The planned week as a planner says it, ``7–11 Desember 2026`` (not the ISO ``2026-W50``): from the first to the
    last of ``dates`` (the plan's working days), else Monday to Friday of ``week``; ``week`` itself when it is no
    ISO week."""
    import datetime as dt

    from ..week import monday_of

    days = sorted(dates)
    if not days:
        monday = monday_of(week)
        if monday is None:
            return str(week)
        days = [monday, monday + dt.timedelta(days=4)]
    a, b = days[0], days[-1]
    months = labels(lang)["months"]
    if a == b:
        return f"{a.day} {months[a.month - 1]} {a.year}"
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {months[b.month - 1]} {b.year}"
    if a.year == b.year:
        return f"{a.day} {months[a.month - 1]} – {b.day} {months[b.month - 1]} {b.year}"
    return f"{a.day} {months[a.month - 1]} {a.year} – {b.day} {months[b.month - 1]} {b.year}"


__all__ = ["EN", "ID", "LANGS", "SHORT_SERVICE", "format_date", "labels", "service_name", "short_service",
           "vehicle_name", "week_words"]
