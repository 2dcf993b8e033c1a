from django.core.management.base import BaseCommand
from tqdm import tqdm

from accounts.services import system_actor
from proposals.services import search_keys_rekey


class Command(BaseCommand):
    help = ("Recompute the stored search keys and romanizations of divisions, places, former "
            "names and variants, and proposals from the place-name reading table "
            "(boundaries/data/place_readings.tsv). Preview unless --commit; one transaction.")

    def add_arguments(self, parser):
        parser.add_argument("--commit", action="store_true", help="write (default: preview)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, **opts):
        bars = []

        def progress(kind, total):
            bar = tqdm(total=total, desc=kind, unit="row", disable=opts["quiet"])
            bars.append(bar)
            return bar.update

        report = search_keys_rekey(actor=system_actor(), commit=opts["commit"],
                                   progress=progress)
        for bar in bars:
            bar.close()
        for kind in ("divisions", "places", "variants", "proposals"):
            r = report[kind]
            self.stdout.write(f"{kind:>10}: {r['changed']} of {r['checked']} re-keyed")
            for row_id, old, new in r["examples"][:5]:
                changed = {k: f"{old[k]} → {new[k]}" for k in new if old.get(k) != new[k]}
                self.stdout.write(f"{'':>12}{row_id}: {changed}")
        if not report["committed"]:
            self.stdout.write("preview: nothing written (add --commit to write)")
