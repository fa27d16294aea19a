"""The reason of a scheduled visit in Indonesian and in English, for the outputs that show it.

:func:`outreach_planner.planning.priority.value_visits` writes ``Visit.why`` (and so ``Step.why``)
in Indonesian, from a small fixed set of phrases joined by ``"; "``:

- ``Perekaman e-KTP 82.4% (target 98.0%): 6 org`` (a service's coverage before the visit, its
  target and the people expected; the service by the first part of its ``name_id``);
- ``sesi 1/3`` (the session number of a village);
- ``kunjungan rumah, menunggu 1.4 minggu`` (a home visit and its waiting);
- ``antar KIA, siap 2026-11-20, jatuh tempo 2026-12-11`` (a delivery, its ready and due dates).

:func:`visit_why` gives that text in ``"id"`` and its translation, phrase by phrase, in ``"en"``
(a phrase it does not know is kept as it is). A step without a ``why`` (a plan written by
another tool, or by hand) gets one computed from the workspace: the village's coverage now
against the target, the people expected, a home visit's waiting, a delivery's document and
dates. Kept apart from ``priority.py`` so that the value computation is unchanged.
"""

from __future__ import annotations

import re

from ..model import Workspace
from ..plan import Step

_SERVICE = re.compile(r"^(?P<name>.+?) (?P<cov>\d+(?:[.,]\d+)?%) \(target (?P<target>\d+(?:[.,]\d+)?%)\): (?P<n>\d+) org$")
_SESSION = re.compile(r"^sesi (?P<k>\d+)(?:/(?P<n>\d+))?$")
_HOME = re.compile(r"^kunjungan rumah(?: \((?P<reason>[^)]*)\))?, menunggu (?P<w>\d+(?:[.,]\d+)?) minggu$")
_DELIVERY = re.compile(r"^antar (?P<doc>.+?), siap (?P<ready>\d{4}-\d{2}-\d{2})(?:, jatuh tempo (?P<due>\d{4}-\d{2}-\d{2}))?$")
_REASON_EN = {"lansia": "elderly", "disabilitas": "disabled", "sakit": "sick"}
_REASON_ID = {v: k for k, v in _REASON_EN.items()}


#: a decimal point between digits (``90.1%``, ``1.4 minggu``): Indonesian writes a comma there
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")


def indonesian_decimals(text: str) -> str:
    """``text`` with the decimal points of its numbers as Indonesian writes them (``90.1%`` -> ``90,1%``).

    The plan keeps ``why`` as :mod:`~outreach_planner.planning.priority` wrote it (point decimals, read back by
    :func:`translate`); the outputs a person reads in Indonesian show it through this."""
    return _DECIMAL_POINT.sub(",", text)


def _en(number: str) -> str:
    return number.replace(",", ".")


def _short(name: str) -> str:
    return name.split(" (")[0]


def translate(why: str, ws: Workspace) -> str:
    """The English of an Indonesian ``why`` of :func:`~outreach_planner.planning.priority.value_visits`."""
    names = {_short(s.name_id): _short(s.name) for s in ws.services}
    out = []
    for part in (p.strip() for p in why.split(";")):
        if not part:
            continue
        if m := _SERVICE.match(part):
            name = names.get(m["name"], m["name"])
            out.append(f"{name} {_en(m['cov'])} (target {_en(m['target'])}): {m['n']} "
                       f"{'person' if m['n'] == '1' else 'people'}")
        elif m := _SESSION.match(part):
            out.append(f"session {m['k']}/{m['n']}" if m["n"] else f"session {m['k']}")
        elif m := _HOME.match(part):
            reason = m["reason"]
            what = f"home visit ({_REASON_EN.get(reason, reason)})" if reason else "home visit"
            out.append(f"{what}, waiting {_en(m['w'])} weeks")
        elif m := _DELIVERY.match(part):
            due = f", due {m['due']}" if m["due"] else ""
            out.append(f"deliver {m['doc']}, ready {m['ready']}{due}")
        else:
            out.append(part)
    return "; ".join(out)


def computed_why(step: Step, ws: Workspace, lang: str = "id") -> str:
    """A reason for a visit step that carries none, from the workspace as it is now (see the module doc)."""
    if step.type != "visit":
        return ""
    vil = ws.village_index.get(step.village_code or "")
    ref = (step.visit_id or "").split(":", 1)[1] if ":" in (step.visit_id or "") else ""
    parts: list[str] = []
    if step.kind == "home_visit":
        req = next((r for r in ws.requests if r.id == ref), None)
        if req is not None:
            weeks = max(0.0, (step.start.date() - req.requested_on).days / 7)
            parts.append(f"kunjungan rumah ({_REASON_ID.get(req.reason, req.reason)}), menunggu {weeks:.1f} minggu")
    if step.kind == "delivery":
        d = next((x for x in ws.deliveries if x.id == ref), None)
        if d is not None:
            due = f", jatuh tempo {d.due_on.isoformat()}" if d.due_on else ""
            parts.append(f"antar {d.document}, siap {d.ready_on.isoformat()}{due}")
    if vil is not None:
        for sid, n in step.expected.items():
            if not n or sid not in ws.service_ids or not vil.eligible.get(sid, 0):
                continue
            svc = ws.service(sid)
            cov = min(vil.covered[sid], vil.eligible[sid]) / vil.eligible[sid]
            parts.append(f"{_short(svc.name_id)} {100 * cov:.1f}% (target {100 * svc.target:.1f}%): {n} org")
    if step.kind == "village_session" and step.visit_id and step.visit_id.count(":") == 2:
        parts.append(f"sesi {step.visit_id.rsplit(':', 1)[1]}")
    text = "; ".join(parts)
    return translate(text, ws) if lang == "en" else indonesian_decimals(text)


def visit_why(step: Step, ws: Workspace, lang: str = "id") -> str:
    """The reason of a visit step in ``lang`` (``"id"``: the plan's text; ``"en"``: its translation); computed
    from the workspace when the step has none; Indonesian decimals (``90,1%``) in ``"id"``. Empty for steps that
    are not visits."""
    if step.type != "visit":
        return ""
    if not step.why.strip():
        return computed_why(step, ws, lang)
    return translate(step.why, ws) if lang == "en" else indonesian_decimals(step.why)


__all__ = ["computed_why", "indonesian_decimals", "translate", "visit_why"]
