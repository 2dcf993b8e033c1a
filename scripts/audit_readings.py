"""Audit the place-name reading table against the 2023 code table and official romanizations.

    .venv/bin/python scripts/audit_readings.py [--data DIR]   # fixtures/readings/audit.md
    .venv/bin/python scripts/audit_readings.py --sample-from FILE  # (re)builds the sample

The audit lists every county-level name of the 2023 table (areas.csv) whose reading the
table decides: its pypinyin reading differs with the table loaded from without it. The
sample (fixtures/readings/official_sample.csv) holds the GB/T 2260 romanizations of
county-level names still in the 2023 table under the same code and name, taken from a
public copy of the GB/T 2260 code list with its 罗马字母拼写 and 字母码 columns (the source
is named in each row); tests/boundaries/test_reading_audit.py compares our romanization of
every sampled name with it. Reads /work/shared at build time only.
"""

import argparse
import csv
import re
import sys
from pathlib import Path

from pypinyin import lazy_pinyin

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path("/work/shared/data/china-division-2023")
OUT = ROOT / "fixtures" / "readings"
SOURCE = ("lincheng531/51quickfix scripts/region.py @dbb2a9ca (a copy of the GB/T 2260 list "
          "with 罗马字母拼写 and 字母码)")
# Romanizations in the sample are Hanyu Pinyin only where the name is Chinese: names of
# Inner Mongolia, Tibet, Qinghai and Xinjiang are spelled from their own languages
# (Hoxud Xian, Tumd Youqi).
NON_PINYIN = {"15", "54", "63", "65", "5132", "5133", "5334", "6230"}  # and the Tibetan
# prefectures of Sichuan, Yunnan and Gansu (Zamtang, Garze, Deqen, Zhugqu)
SIMPLE = re.compile(r".+(区|县|市|旗)$")


def counties(data: Path) -> list[tuple[str, str]]:
    with open(data / "areas.csv", encoding="utf-8") as fh:
        return [(row["code"], row["name"]) for row in csv.DictReader(fh)]


def _names_module(with_table: bool):
    """boundaries.names with or without the reading table in pypinyin: the table's module
    is stubbed for the baseline, which must run first (loading cannot be undone)."""
    import importlib  # noqa: PLC0415
    import types  # noqa: PLC0415

    for mod in ("boundaries.names", "boundaries.readings"):
        sys.modules.pop(mod, None)
    if not with_table:
        sys.modules["boundaries.readings"] = types.ModuleType("boundaries.readings")
    return importlib.import_module("boundaries.names")


def _sample_figures(names, sample, exceptions) -> dict:
    def norm(latin):  # case and spacing aside; the source writes ü as v
        return " ".join(latin.lower().replace("ü", "v").split())

    wrong = {r["code"] for r in sample
             if norm(names.romanize_county(r["name"])) != norm(r["official"])}
    source = {c for c in wrong if exceptions.get(c, {}).get("kind", "reading") != "reading"}
    return {"agree": len(sample) - len(wrong), "source_errors": len(source),
            "readings": sorted(f"{r['name']} ({names.romanize_county(r['name'])}, sample "
                               f"{r['official']})" for r in sample if r["code"] in wrong - source)}


def audit(data: Path):
    rows = counties(data)
    sample = _read(OUT / "official_sample.csv")
    exceptions = {r["code"]: r for r in _read(OUT / "exceptions.csv")}
    before = {code: " ".join(lazy_pinyin(name)) for code, name in rows}
    with open(data / "streets.csv", encoding="utf-8") as fh:
        townships = [row["name"] for row in csv.DictReader(fh)]
    townships_before = [lazy_pinyin(name) for name in townships]
    baseline = _sample_figures(_names_module(False), sample, exceptions)
    names = _names_module(True)
    decided = [(code, name, before[code], " ".join(lazy_pinyin(name)),
                names.romanize_county(name))
               for code, name in rows if " ".join(lazy_pinyin(name)) != before[code]]
    figures = {"sample": len(sample), "pypinyin": baseline, "townships": len(townships),
               "townships_decided": sum(lazy_pinyin(n) != b for n, b in
                                        zip(townships, townships_before, strict=True)),
               "table": _sample_figures(names, sample, exceptions)}
    return decided, figures


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write_audit(decided, total: int, figures: dict):
    n = figures["sample"]
    with_table, alone = figures["table"], figures["pypinyin"]
    lines = ["# The place-name reading table, audited", "",
             f"Made by `scripts/audit_readings.py` from the 2023 code table and the sample of "
             f"{n} official (GB/T 2260) romanizations of county-level names in "
             "`official_sample.csv`.", "",
             "| romanization of the sample | agree | source errors | readings otherwise |",
             "| --- | --- | --- | --- |"]
    for label, f in (("pypinyin alone", alone), ("with the table", with_table)):
        lines.append(f"| {label} | {f['agree']} ({f['agree'] / n:.2%}) | {f['source_errors']} "
                     f"| {len(f['readings'])} |")
    lines += ["", "Source errors are the sample's own (a code's earlier unit, a missing "
              "apostrophe, a misspelling: `exceptions.csv`). The readings where the table "
              "departs from the sample, each with its reason in `exceptions.csv`: "
              + "; ".join(with_table["readings"]) + ".", "",
              "## County-level names whose reading the table decides", "",
              f"{len(decided)} of the {total} county-level names of the 2023 code table read "
              "otherwise with boundaries/data/place_readings.tsv loaded than with pypinyin "
              f"alone; so do {figures['townships_decided']} of the {figures['townships']} "
              "township-level names (not listed).", "",
              "| code | name | pypinyin alone | with the table | romanization |",
              "| --- | --- | --- | --- | --- |"]
    lines += [f"| {c} | {n_} | {a} | {b} | {r} |" for c, n_, a, b, r in decided]
    (OUT / "audit.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def sample_from(path: Path, data: Path):
    """Rows `id code name parent level order romanization abbreviation`, tab-separated."""
    current = dict(counties(data))
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) != 8 or not cells[1].isdigit():
            continue
        code, name, latin = cells[1], cells[2], " ".join(cells[6].split())
        if (current.get(code) != name or code[:2] in NON_PINYIN or code[:4] in NON_PINYIN
                or not SIMPLE.match(name) or name.endswith("市辖区")
                or latin in {"", "1"}):
            continue
        out[code] = (name, latin.replace(",", "'"))
    with open(OUT / "official_sample.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "name", "official", "source"])
        for code in sorted(out):
            writer.writerow([code, *out[code], SOURCE])
    print(f"sample: {len(out)} county-level names", file=sys.stderr)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--sample-from", type=Path)
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.sample_from:
        sample_from(args.sample_from, args.data)
        return
    decided, figures = audit(args.data)
    write_audit(decided, len(counties(args.data)), figures)
    print(f"{len(decided)} county-level names decided; sample {figures}", file=sys.stderr)


if __name__ == "__main__":
    main()
