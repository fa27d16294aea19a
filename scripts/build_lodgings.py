"""Write data/kolaka_utara/lodgings.csv: a lodging at every kecamatan office of Kolaka Utara.

The points are APPROXIMATE: the population-weighted point of each kecamatan capital village
(``capital_lon``/``capital_lat`` of the shared ``districts.csv``), not the surveyed office. The
kecamatan of the Dukcapil office (Lasusua) is left out: its capital point is the office's.
Capacity (2 teams a night) and cost (empty: ``policy.night_cost``) are assumptions.

    python scripts/build_lodgings.py [--shared PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ["id", "name", "kind", "capacity", "cost_per_night", "approximate", "village_code", "lon", "lat"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent.parent / "shared" / "data" / "kolaka_utara"))
    ap.add_argument("--out", default=str(ROOT / "data" / "kolaka_utara" / "lodgings.csv"))
    ap.add_argument("--office", default="120.883078,-3.504508", help="lon,lat of the office (left out)")
    args = ap.parse_args()
    office = tuple(float(x) for x in args.office.split(","))
    rows = []
    with open(Path(args.shared) / "districts.csv", encoding="utf-8") as f:
        for d in csv.DictReader(f):
            lon, lat = float(d["capital_lon"]), float(d["capital_lat"])
            if (lon, lat) == office:
                continue
            rows.append({"id": f"camat_{d['code'].replace('.', '')}",
                         "name": f"Kantor Camat {d['name']} (titik perkiraan)", "kind": "kantor_camat",
                         "capacity": 2, "cost_per_night": "", "approximate": "true",
                         "village_code": d["capital_village_code"], "lon": f"{lon:.6f}", "lat": f"{lat:.6f}"})
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{args.out}: {len(rows)} lodgings")


if __name__ == "__main__":
    main()
