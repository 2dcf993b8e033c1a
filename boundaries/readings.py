"""The place-name reading table (boundaries/data/place_readings.tsv), loaded once into
pypinyin's phrase dictionary.

pypinyin reads characters as in ordinary words: 朝阳 zhāoyáng, 单县 dānxiàn, 都匀 dōuyún.
Place names read them otherwise (Chaoyang, Shan Xian, Duyun). The table holds those
readings as data (scripts/build_place_readings.py makes it from the 2023 code table and
says how); importing this module registers them, so that romanization, the search keys
of divisions and places, the homophone checks and the sign checks all read names alike.
Every module that reads a name's pinyin imports this one (boundaries.names does).
"""

import csv
from functools import cache
from pathlib import Path

from pypinyin import load_phrases_dict

TABLE = Path(__file__).resolve().parent / "data" / "place_readings.tsv"


@cache
def readings() -> dict[str, list[list[str]]]:
    """{phrase: [[syllable], …]} as pypinyin's phrase dictionary takes it."""
    with open(TABLE, encoding="utf-8") as fh:
        rows = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
        out = {}
        for row in rows:
            syllables = row["reading"].split()
            if len(syllables) != len(row["phrase"]):
                raise ValueError(f"{TABLE.name}: {row['phrase']} has {len(row['phrase'])} "
                                 f"characters but {len(syllables)} syllables")
            out[row["phrase"]] = [[s] for s in syllables]
    return out


@cache
def register() -> int:
    """Load the table into pypinyin once; the number of phrases."""
    table = readings()
    load_phrases_dict(table)
    return len(table)


register()
