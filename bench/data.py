"""The input files of a bench run: the whole country, or one province for --quick."""

import csv
import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from .common import CODES_DIR, COUNTIES_FILE, WORK

CODE_FILES = ["provinces.csv", "cities.csv", "areas.csv", "streets.csv", "villages.csv"]
QUICK_PROVINCE = "52"  # 贵州: 六盘水 and 钟山区 are in it, the HTTP step asks about them


@dataclass
class Inputs:
    codes_dir: Path
    counties_file: Path
    scope: str  # "country" or the province code


def inputs(quick: bool) -> Inputs:
    if not quick:
        return Inputs(CODES_DIR, COUNTIES_FILE, "country")
    dest = WORK / f"province-{QUICK_PROVINCE}"
    codes = _code_extract(dest / "codes", QUICK_PROVINCE)
    counties = _county_extract(dest / "counties.geojson.gz", QUICK_PROVINCE)
    return Inputs(codes, counties, QUICK_PROVINCE)


def _code_extract(dest: Path, province: str) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in CODE_FILES:
        with (CODES_DIR / name).open(encoding="utf-8", newline="") as src, \
                (dest / name).open("w", encoding="utf-8", newline="") as out:
            reader, writer = csv.reader(src), csv.writer(out)
            writer.writerow(next(reader))
            writer.writerows(row for row in reader if row[0].startswith(province))
    return dest


def _county_extract(dest: Path, province: str) -> Path:
    if dest.exists():
        return dest
    with gzip.open(COUNTIES_FILE, "rt", encoding="utf-8") as fh:
        collection = json.load(fh)
    collection["features"] = [
        f for f in collection["features"]
        if str(f["properties"].get("province_code") or "").startswith(province)
    ]
    with gzip.open(dest, "wt", encoding="utf-8") as out:
        json.dump(collection, out, ensure_ascii=False)
    return dest
