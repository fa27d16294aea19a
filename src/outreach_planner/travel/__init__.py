"""Travel times and distances between stops, per vehicle profile.

``travel_model(workspace, workspace_dir)`` returns the model the workspace chooses in
``[travel]``: :class:`GreatCircle` or :class:`RoadNetwork` (whose ``network`` file is
relative to the workspace folder, and whose matrices are cached in
``<workspace>/.cache/travel/``).
"""

from __future__ import annotations

from pathlib import Path

from ..i18n import _
from .base import TravelModel
from .great_circle import GreatCircle
from .road_network import RoadNetwork

#: Matrix cache folder, relative to the workspace folder.
CACHE_SUBDIR = Path(".cache") / "travel"


def place_names(ws) -> dict[tuple[float, float], str]:
    """Names of the workspace's stops by (lon, lat) rounded to 6 decimals, for travel error messages.

    Home-visit requests and deliveries are named by id only (no personal names).
    """
    names: dict[tuple[float, float], list[str]] = {}
    entries = [(d.lon, d.lat, _("place.depot", id="depot {ref}", en="depot {ref}", ref=d.id)) for d in ws.depots]
    entries += [(v.lon, v.lat, _("place.village", id="desa {code} {name}", en="village {code} {name}", code=v.code,
                                 name=v.name)) for v in ws.villages]
    entries += [(s.lon, s.lat, _("place.school", id="sekolah {ref} ({name})", en="school {ref} ({name})", ref=s.id,
                                 name=s.name)) for s in ws.schools]
    entries += [(r.lon, r.lat, _("place.home_visit", id="kunjungan rumah {ref}", en="home visit {ref}", ref=r.id))
                for r in ws.requests]
    entries += [(d.lon, d.lat, _("place.delivery", id="antaran {ref}", en="delivery {ref}", ref=d.id))
                for d in ws.deliveries]
    for lon, lat, label in entries:
        names.setdefault((round(lon, 6), round(lat, 6)), []).append(label)
    return {k: " / ".join(v) for k, v in names.items()}


def travel_model(ws, workspace_dir: str | Path | None = None, *, cache: bool = True) -> TravelModel:
    """The travel model configured by ``ws.travel``.

    Parameters
    ----------
    ws
        The workspace.
    workspace_dir
        The workspace folder: ``[travel] network`` is relative to it and the matrix cache
        lives in it. Needed for ``model = "road_network"`` unless the network path is absolute.
    cache
        Keep road-network matrices on disk in ``<workspace_dir>/.cache/travel/``.
    """
    cfg = ws.travel
    if cfg.model == "great_circle":
        gc = GreatCircle(circuity=cfg.circuity, speed_kmh=dict(cfg.speed_kmh))
        if getattr(cfg, "islands", False):  # straight lines do not cross the sea: crossings (travel/islands.py)
            from .islands import IslandTravel, land_masses

            return IslandTravel(gc, land_masses([v.boundary_wkt for v in ws.villages]),
                                getattr(ws, "crossings", ()), place_names(ws))
        return gc
    if cfg.model == "road_network":
        if not cfg.network:
            raise ValueError(_("travel.no_network", id='[travel] model = "road_network" butuh berkas jaringan jalan: '
                               '[travel] network = "roads.gpkg"', en='[travel] model = "road_network" needs a network '
                               'file: [travel] network = "roads.gpkg"'))
        network = Path(cfg.network)
        if not network.is_absolute():
            if workspace_dir is None:
                raise ValueError(f"the road network {cfg.network!r} is relative to the workspace folder: "
                                 "pass it, travel_model(ws, workspace_dir)")
            network = Path(workspace_dir) / network
        cache_dir = Path(workspace_dir) / CACHE_SUBDIR if (cache and workspace_dir is not None) else None
        return RoadNetwork(network, cache_dir=cache_dir, place_names=place_names(ws))
    raise NotImplementedError(_("travel.unknown_model", id="model perjalanan {model} tidak tersedia; pakai "
                                "'great_circle' atau 'road_network'", en="travel model {model} is not available; use "
                                "'great_circle' or 'road_network'", model=repr(cfg.model)))


__all__ = ["CACHE_SUBDIR", "GreatCircle", "RoadNetwork", "TravelModel", "place_names", "travel_model"]
