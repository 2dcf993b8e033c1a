"""What the measured figures of a reconciliation mean: each verdict and summary flag is
decided here, from the distances and areas it summarises, so that the summary, the report
and the acceptance of the second signature cannot disagree with the figures.

A line is judged in both directions (the symmetric Hausdorff distance): a survey that
cuts across a loop of the registered line lies within centimetres of it everywhere, while
the registered loop lies kilometres from the survey. Only the larger direction says the
two lines are the same line.
"""

WITHIN, CORRECTION, CHANGE = "within_tolerance", "correction", "boundary_change"
# Beyond the tolerance with nothing enclosed to approve: the survey stops short of the
# registered line or runs on past it by more than this.
UNENCLOSED = "unenclosed"
UNENCLOSED_MAX_M = 1.0


def beyond(distance: float | None, tol: float) -> bool:
    return distance is not None and distance > tol


def triage(area_m2: float, max_area_m2: float) -> str:
    """A face between the surveyed and the registered line: a digitising correction while
    smaller than the limit, else a candidate boundary change."""
    return "correction" if area_m2 < max_area_m2 else "candidate_change"


def marker_verdict(marker: dict, tol: float) -> str:
    """A registered marker against both sides' points (each side's count and distances)."""
    a, b = marker["A"], marker["B"]
    if (a and a["count"] > 1) or (b and b["count"] > 1):
        return "duplicate"
    if a is None and b is None:
        return "missing"
    if beyond(marker["sides_apart_m"], tol):
        return "disputed"
    if beyond(marker["displacement_m"], tol):
        return "displaced"
    return "intact"


def markers_within_tolerance(markers: list[dict], tol: float) -> bool:
    """Every registered marker found once by each side that reports it, where it was
    registered and where the other side found it, within the tolerance."""
    return bool(markers) and all(
        m["displacement_m"] is not None and not beyond(m["displacement_m"], tol)
        and not beyond(m["sides_apart_m"], tol) for m in markers)


def hausdorff(there: float, back: float) -> float:
    return max(there, back)


def line_within_tolerance(side: dict, tol: float) -> bool:
    """One side's line and the registered one, in both directions."""
    return not beyond(side["hausdorff_m"], tol)


def lines_within_tolerance(lines: dict, tol: float) -> bool:
    return bool(lines) and all(line_within_tolerance(s, tol) for s in lines.values())


def lines_agree(sides: dict | None, tol: float) -> bool:
    """The two sides' lines, in both directions."""
    return sides is not None and not beyond(sides["hausdorff_m"], tol)


def boundary_changes(side: dict, max_area_m2: float) -> list[dict]:
    return [d for d in side["differences"] if triage(d["area_m2"], max_area_m2) != "correction"]


def unenclosed(side: dict) -> tuple[float, float]:
    """Metres of the registered line the survey left out, and of the survey beyond the
    registered line, that bound no face (results from before the second figure: 0)."""
    return side["unsurveyed_m"], side.get("unenclosed_m", 0.0)


def line_judgement(side: dict, tol: float, max_area_m2: float) -> str:
    """Within the tolerance both ways; else a boundary change when a face between the lines
    is above the correction limit; else unenclosed when a stretch beyond the tolerance
    bounds no face; else digitising corrections."""
    if line_within_tolerance(side, tol):
        return WITHIN
    if boundary_changes(side, max_area_m2):
        return CHANGE
    return UNENCLOSED if max(unenclosed(side)) > UNENCLOSED_MAX_M else CORRECTION


def summary(markers: list[dict], unmatched: list[dict], lines: dict, sides: dict | None,
            tol: float, max_area_m2: float) -> dict:
    verdicts: dict[str, int] = {}
    for m in markers:
        verdicts[m["verdict"]] = verdicts.get(m["verdict"], 0) + 1
    triages = [triage(d["area_m2"], max_area_m2) for s in lines.values()
               for d in s["differences"]]
    displacements = [m["displacement_m"] for m in markers if m["displacement_m"] is not None]
    return {
        "verdicts": verdicts,
        "unknown_numbers": sorted({u["number"] for u in unmatched if not u["registered"]}),
        "duplicates": sorted({u["number"] for u in unmatched if u["count"] > 1}),
        "disputed_markers": [m["number"] for m in markers if m["verdict"] == "disputed"],
        "markers_within_tolerance": markers_within_tolerance(markers, tol),
        "max_marker_displacement_m": max(displacements, default=None),
        "lines_agree": lines_agree(sides, tol),
        "line_within_tolerance": lines_within_tolerance(lines, tol),
        "line_hausdorff_m": max((s["hausdorff_m"] for s in lines.values()), default=None),
        "line_judgement": {side: line_judgement(s, tol, max_area_m2)
                           for side, s in lines.items()},
        "boundary_change": any(t == "candidate_change" for t in triages),
        "corrections": triages.count("correction"),
        "candidate_changes": triages.count("candidate_change"),
        "tolerance_m": tol,
    }
