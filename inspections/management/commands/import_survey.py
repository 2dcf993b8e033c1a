import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from config.errors import RegistryError
from importers import survey
from importers.errors import ImporterError

SHOWN_FINDINGS = 50


def describe(transformation: dict) -> str:
    accuracy = transformation["accuracy_m"]
    shown = "accuracy unknown" if accuracy is None else f"accuracy {accuracy:g} m"
    return (f"{transformation['description']} ({shown}"
            f"{', ballpark' if transformation['ballpark'] else ''})")


class Command(BaseCommand):
    help = ("Read a boundary survey file (zipped Shapefile, .shp, GeoPackage, GeoJSON, KML, "
            "GPX, DXF or a CSV of marker coordinates) in any CRS and encoding, and report "
            "its features in EPSG:4490 and what is wrong with them. Dry run: nothing is "
            "written unless --commit, which stores it as one side's confirmed survey of an "
            "inspection (--inspection ID --side A|B).")
    # the system checks import every URLconf and API (pypinyin's dictionaries among them):
    # a second per run that a survey read does not need; `manage.py check` still runs them
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--crs", help="coordinate system when the file declares none, "
                            "e.g. EPSG:4544 (a declared one wins)")
        parser.add_argument("--encoding", help="attribute encoding, e.g. gbk (default: the "
                            ".cpg, else UTF-8, else GB18030)")
        parser.add_argument("--repair", action="store_true",
                            help="repair invalid polygons (ST_MakeValid) instead of only "
                            "reporting them")
        parser.add_argument("--division", help="code of the registered division the survey "
                            "should lie in: features far from it are reported")
        parser.add_argument("--stage", metavar="TABLE", help="keep the staged features in "
                            "this new scratch table (default: a temporary table)")
        parser.add_argument("--phone-map", action="store_true",
                            help="the positions were read off a consumer (phone) map: check "
                            "them for the GCJ-02 shift")
        parser.add_argument("--helmert", metavar="TX,TY,TZ,RX,RY,RZ,S",
                            help="7-parameter Helmert from the file's datum (Xian 1980, "
                            "Beijing 1954) to CGCS2000: metres, arc-seconds, ppm")
        parser.add_argument("--convention", choices=["position_vector", "coordinate_frame"],
                            help="the Helmert rotations' convention (needed with rotations)")
        parser.add_argument("--plane", metavar="DX,DY,ROT,SCALE",
                            help="4-parameter plane transformation in the file's Gauss-Krüger "
                            "zone to CGCS2000's: dX north and dY east (m), rotation "
                            "(arc-seconds), scale (ppm)")
        parser.add_argument("--params-from", metavar="COUNTY",
                            help="use the parameters registered for this county")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--inspection", type=int, help="the inspection the survey is for")
        parser.add_argument("--side", choices=["A", "B"], help="the side that surveyed")
        parser.add_argument("--commit", action="store_true",
                            help="attach the survey to the inspection (default: dry run)")

    def handle(self, *args, **opts):
        try:
            self._refuse_commit(opts)
            started = time.perf_counter()
            if opts["commit"]:
                return self._commit(opts)
            result = survey.run(opts["file"], crs=opts["crs"], encoding=opts["encoding"],
                                repair=opts["repair"], division=opts["division"],
                                stage_table=opts["stage"], progress=not opts["json"],
                                phone_map=opts["phone_map"], **self._parameters(opts))
            seconds = time.perf_counter() - started
        except ImporterError as exc:
            if opts["json"]:
                self.stdout.write(json.dumps({"detail": str(exc)}, ensure_ascii=False))
            raise CommandError(str(exc)) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, default=str))
            return
        self._print(result)
        self.stdout.write(f"{'seconds':>10}: {seconds:.3f} (read, "
                          "reprojected, checked and staged)")

    @staticmethod
    def _parameters(opts) -> dict:
        return {k: opts[k] for k in ("helmert", "plane", "convention", "params_from")}

    @staticmethod
    def _refuse_commit(opts) -> None:
        if opts["commit"] and not (opts["inspection"] and opts["side"]):
            raise ImporterError("--commit needs --inspection ID and --side A|B")

    def _commit(self, opts) -> None:
        """Store the survey through the inspection services (the reading stays the same)."""
        # imported here: a dry run needs neither the inspection services nor an actor
        from accounts.services import system_actor
        from inspections import services

        try:
            with transaction.atomic():  # a survey refused at confirmation leaves no preview
                actor = system_actor()
                upload = services.survey_upload(
                    actor=actor, inspection_id=opts["inspection"], side=opts["side"],
                    path=opts["file"], crs=opts["crs"], encoding=opts["encoding"],
                    repair=opts["repair"], **self._parameters(opts))
                services.survey_confirm(actor=actor, upload_id=upload.id,
                                        note="manage.py import_survey --commit")
        except RegistryError as exc:  # no such inspection, out of order, refused file
            raise ImporterError(str(exc)) from exc
        if opts["json"]:
            self.stdout.write(json.dumps({"upload": upload.id, "inspection": opts["inspection"],
                                          "side": opts["side"], "format": upload.format,
                                          "crs": upload.crs, "crs_source": upload.crs_source,
                                          "encoding": upload.encoding,
                                          "transformation": upload.transformation,
                                          "features": upload.feature_count,
                                          "findings": upload.findings}, ensure_ascii=False))
            return
        self.stdout.write(f"stored as survey upload {upload.id} of inspection "
                          f"{opts['inspection']}, side {opts['side']} (confirmed): "
                          f"{upload.feature_count} features, {upload.format}, {upload.crs} "
                          f"({upload.crs_source}), {len(upload.findings)} finding(s); "
                          f"{describe(upload.transformation)}")

    def _print(self, result) -> None:
        layers = {}
        for feature in result.features:
            kind = feature.geometry["type"] if feature.geometry else "no geometry"
            layers.setdefault(feature.layer, {}).setdefault(kind, 0)
            layers[feature.layer][kind] += 1
        self.stdout.write(f"{'format':>10}: {result.format}\n{'crs':>10}: {result.crs} "
                          f"({result.crs_source})\n{'encoding':>10}: {result.encoding}")
        self.stdout.write(f"{'datum':>10}: {describe(result.transformation)}")
        for layer, kinds in layers.items():
            shown = ", ".join(f"{n} {k}" for k, n in kinds.items())
            self.stdout.write(f"{'layer':>10}: {layer}: {shown}")
        counts = result.counts()
        self.stdout.write(f"{'findings':>10}: " + (", ".join(
            f"{counts[s]} {s}" for s in ("error", "warning", "info") if s in counts) or "none"))
        for finding in result.findings[:SHOWN_FINDINGS]:
            where = (f"line {finding.line}" if finding.line is not None
                     else f"feature {finding.index}" if finding.index is not None else "file")
            self.stdout.write(f"  {finding.severity:<7} {where}: {finding.rule}: "
                              f"{finding.message}")
        if len(result.findings) > SHOWN_FINDINGS:
            self.stdout.write(f"  … and {len(result.findings) - SHOWN_FINDINGS} more (--json)")
        if result.staged_table:
            self.stdout.write(f"staged in table {result.staged_table}")
        self.stdout.write("dry run: nothing written to the registry")
