"""Build boundaries/data/place_readings.tsv, the place-name reading table, from the 2023
code table and the reviewed place-name readings below.

    .venv/bin/python scripts/build_place_readings.py [--data DIR] [--report]

Method (also in the table's header): every county- and township-level name of the 2023
table (areas.csv, streets.csv) is read by pypinyin alone; the names holding a character
with several readings in pypinyin's single-character dictionary are the candidates. For
the known place-name polyphones (PHRASES and CHAR_RULES below, each reviewed against the
place-name pronunciation lists and the official romanizations cited) a row is written
where pypinyin's toneless reading of the phrase differs from the place-name reading; a
reading pypinyin already gets right gets no row (GUARDS excepted: the readings the
registry fixed by hand before the table, kept so that a pypinyin upgrade cannot undo
them). Tone-only differences (济南 jǐ/jì) change no romanization, search key or sign and
get no row. This reads /work/shared at build time only: the product reads the TSV.
"""

import argparse
import csv
import re
import sys
from collections import defaultdict
from pathlib import Path

from pypinyin import lazy_pinyin, pinyin
from pypinyin.constants import PHRASES_DICT
from pypinyin.contrib.tone_convert import to_normal

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "boundaries" / "data" / "place_readings.tsv"
DATA = Path("/work/shared/data/china-division-2023")

# Generics stripped before a name's specific part is read (longest first).
GENERICS = sorted(["街道办事处", "街道", "民族乡", "民族苏木", "苏木", "镇", "乡", "自治县",
                   "自治旗", "特区", "林区", "新区", "区", "县", "市", "旗"], key=len, reverse=True)

LISTS = "地名多音字 lists (《现代汉语词典》地名读音; 吴振祺《地名多音字》)"
GBT = "GB/T 2260 romanization"

# Phrase → (place-name reading, source). Each was checked in the sources named.
PHRASES = {
    "朝阳": ("cháo yáng", f"{GBT} Chaoyang Qu/Xian/Shi"),
    "朝歌": ("zhāo gē", f"{LISTS}; 淇县朝歌 Zhaoge"),
    "单县": ("shàn xiàn", f"{GBT} Shan Xian"),
    "尉氏": ("yù shì", "DOMAIN.md and issue 10 (尉氏 Yushi); GB/T 2260 lists spell Weishi: "
             "disputed, see fixtures/readings/exceptions.csv"),
    "解州": ("xiè zhōu", f"{LISTS}; 解州镇 Xiezhou"),
    "蚌山": ("bèng shān", f"{LISTS}: 蚌 bèng in 蚌埠 and its districts"),
    "六合": ("lù hé", f"{LISTS}; 六合区 Luhe Qu"),
    "会稽": ("kuài jī", f"{LISTS}; 会稽 Kuaiji"),
    "涡阳": ("guō yáng", f"{LISTS}; {GBT} Guoyang Xian"),
    "洪洞": ("hóng tóng", f"{LISTS}; {GBT} Hongtong Xian"),
    "繁峙": ("fán shì", f"{LISTS}; {GBT} Fanshi Xian"),
    "什邡": ("shí fāng", f"{GBT} Shifang Shi"),
    "泊头": ("bó tóu", f"{GBT} Botou Shi"),
    "穆棱": ("mù líng", f"{LISTS}; {GBT} Muling Shi"),
    "珲春": ("hún chūn", f"{LISTS}; {GBT} Hunchun Shi"),
    "覃塘": ("qín táng", f"{LISTS}; 覃塘区 Qintang Qu"),
    "筠连": ("jūn lián", f"{LISTS}; {GBT} Junlian Xian"),
    "召陵": ("shào líng", f"{LISTS}; 召陵区 Shaoling Qu"),
    "漯河": ("luò hé", f"{LISTS}; {GBT} Luohe Shi"),
    "沌口": ("zhuàn kǒu", f"{LISTS}; 沌口街道 Zhuankou"),
    "栎阳": ("yuè yáng", f"{LISTS}; 栎阳街道 Yueyang"),
    "崆峒": ("kōng tóng", f"{LISTS}; 崆峒区 Kongtong Qu"),
    "荥经": ("yíng jīng", f"{LISTS}; {GBT} Yingjing Xian"),
    "浚县": ("xùn xiàn", f"{LISTS}; {GBT} Xun Xian"),
    "凉都": ("liáng dū", "六盘水 local word (凉都 Liangdu), fixed by hand before the table"),
    "苕溪": ("tiáo xī", "湖州 苕溪 Tiaoxi, fixed by hand before the table"),
    "长风": ("cháng fēng", "seed-city street word, fixed by hand before the table"),
    "长子": ("zhǎng zǐ", f"{LISTS}; {GBT} Zhangzi Xian (the one 长 read zhǎng)"),
    "长子营": ("cháng zǐ yíng", "北京大兴 长子营镇 Changziying (not 长子县)"),
    "南乐": ("nán lè", f"{GBT} Nanle Xian"),
    "民乐": ("mín lè", f"{GBT} Minle Xian"),
    "乐平": ("lè píng", f"{GBT} Leping Shi"),
    "礼乐": ("lǐ lè", "江门新会 礼乐街道 Lile"),
    "柏林": ("bǎi lín", f"{GBT} Wanbailin Qu (万柏林); 柏林 bó lín is Berlin"),
    "泌水": ("bì shuǐ", f"{LISTS}: 泌 bì in 泌阳 and its 泌水街道"),
    "马尾": ("mǎ wěi", f"{GBT} Mawei Qu"),
    "浪卡子": ("làng kǎ zǐ", "浪卡子县 Langkazi (卡 kǎ in transliteration, not qiǎ)"),
    "曾都": ("zēng dū", f"{GBT} Zengdu Qu (曾 zēng, not céng)"),
    "丹棱": ("dān líng", f"{GBT} Danling Xian"),
    "闵行": ("mǐn háng", f"{GBT} Minhang Qu"),
    "厦港": ("xià gǎng", "厦门 厦港街道 Xiagang"),
    "塘厦": ("táng xià", "东莞 塘厦镇 Tangxia"),
    "崧厦": ("sōng xià", "上虞 崧厦街道 Songxia"),
    "江厦": ("jiāng xià", "宁波 江厦街道 Jiangxia"),
}

# Readings fixed by hand before the table that pypinyin (0.55) already gets right.
GUARDS = {
    "长寿": "cháng shòu", "六盘水": "liù pán shuǐ", "六安": "lù ān", "蚌埠": "bèng bù",
    "番禺": "pān yú", "丽水": "lí shuǐ", "铅山": "yán shān", "台州": "tāi zhōu",
    "天台": "tiān tāi", "乐清": "yuè qīng", "大箐": "dà qìng", "水城": "shuǐ chéng",
    "重庆": "chóng qìng",
}

# Characters read one way in every place name but a few: the reading, and the phrases
# excepted (those keep pypinyin's reading or have a PHRASES row).
CHAR_RULES = {
    "都": ("dū", set(), "都 is dū in place names (成都, 都匀 Duyun, 花都 Huadu); dōu is "
                        "the adverb"),
    "长": ("cháng", {"长子"}, "长 is cháng in place names (长治 Changzhi, 长垣 Changyuan, "
                               "长白 Changbai) but 长子 Zhangzi"),
    "什": ("shí", {"通什"}, "什 is shí in place names (什邡 Shifang, 什字, 乌什 Wushi); shén is "
                           "only 什么 (通什 left to pypinyin)"),
    "佛": ("fó", set(), "佛 is fó in place names (佛冈 Fogang, 佛坪 Foping, 石佛); fú is 仿佛"),
    "勒": ("lè", set(), "勒 is lè in place names (库尔勒, 阿勒泰, 勒流 Leliu); lēi is 'tie up'"),
}
# Provinces where 圩 (market, 墟) is read xū and 涌 (river branch) chōng.
REGIONAL = {
    "圩": ("xū", {"44", "45"}, "广东/广西 圩 = 墟 xū (大圩 Daxu)"),
    "涌": ("chōng", {"44"}, "广东 涌 (river branch) chōng (东涌 Dongchong)"),
}


def toneless(syllables) -> str:
    return " ".join(re.sub(r"[^a-zü]", "", _strip_tone(s)) for s in syllables)


def _strip_tone(s: str) -> str:
    return to_normal(s)


def specific(name: str) -> str:
    for generic in GENERICS:
        if name.endswith(generic) and len(name) > len(generic):
            return name[: -len(generic)]
    return name


def read_names(data: Path) -> list[tuple[str, str, int]]:
    names = []
    for file, level in (("areas.csv", 3), ("streets.csv", 4)):
        with open(data / file, encoding="utf-8") as fh:
            names += [(row["code"], row["name"], level) for row in csv.DictReader(fh)]
    return names


def is_polyphonic(text: str) -> bool:
    return any(len(r) > 1 for r in pinyin(text, heteronym=True))


def _tone_reading(word: str) -> list[str]:
    return [s[0] for s in pinyin(word)]


def char_rule_rows(names, rows: dict):
    """A row per distinct two-character word around a ruled character that pypinyin misreads."""
    for code, name, _level in names:
        spec = specific(name)
        for char, (reading, excepted, note) in CHAR_RULES.items():
            for i, ch in enumerate(spec):
                if ch != char or any(e in spec for e in excepted):
                    continue
                word = spec[i - 1:i + 1] if i else spec[i:i + 2]
                if len(word) < 2 or word in PHRASES or word in rows:
                    continue
                # Read in context: the whole specific, then take this word's syllables.
                start = spec.index(word)
                context = _tone_reading(spec)[start:start + 2]
                pos = word.index(char)
                if to_normal(context[pos]) == to_normal(reading):
                    continue
                if word in PHRASES_DICT:  # a word read so on purpose (县长, 长官): undecided
                    UNDECIDED.setdefault(word, set()).add(name)
                    continue
                fixed = [CHAR_RULES[c][0] if c in CHAR_RULES else r
                         for c, r in zip(word, context, strict=True)]
                rows[word] = (" ".join(fixed), char, note)
        for char, (reading, provinces, note) in REGIONAL.items():
            if code[:2] not in provinces or char not in spec:
                continue
            i = spec.index(char)
            word = spec[max(0, i - 1):i + 1] if i else spec[:2]
            if len(word) < 2 or word in rows:
                continue
            context = _tone_reading(word)
            pos = word.index(char)
            if to_normal(context[pos]) == to_normal(reading):
                continue
            context[pos] = reading
            rows[word] = (" ".join(context), char, note)
            REGIONAL_WORDS[word] = provinces


REGIONAL_WORDS: dict[str, set[str]] = {}
UNDECIDED: dict[str, set[str]] = {}


def drop_ambiguous(names, rows: dict) -> list[str]:
    """A regional reading whose word also names a place outside its provinces is dropped:
    the phrase dictionary cannot tell the two apart, and a wrong fix is worse than none."""
    dropped = []
    for word, provinces in REGIONAL_WORDS.items():
        outside = sorted({n for code, n, _ in names if word in n and code[:2] not in provinces})
        if outside and word in rows:
            del rows[word]
            dropped.append(f"{word}: also {'、'.join(outside[:3])}")
    return dropped


def build(data: Path) -> tuple[list[tuple], dict]:
    names = read_names(data)
    rows: dict[str, tuple[str, str, str]] = {}
    for phrase, (reading, source) in PHRASES.items():
        decides = _misread(phrase, reading, names)
        if decides:
            rows[phrase] = (reading, decides, source)
    for phrase, reading in GUARDS.items():
        rows.setdefault(phrase, (reading, "", "guard: fixed by hand before the table; "
                                               "pypinyin 0.55 agrees"))
    char_rule_rows(names, rows)
    dropped = drop_ambiguous(names, rows)
    occurs = defaultdict(list)
    for _code, name, _level in names:
        for phrase in rows:
            if phrase in name:
                occurs[phrase].append(name)
    table = [(p, r, d or _decided(p, r), s, occurs.get(p, []))
             for p, (r, d, s) in sorted(rows.items())]
    stats = {"names": len(names), "polyphonic": sum(is_polyphonic(n) for _, n, _ in names),
             "phrases": len(table), "with_names": sum(1 for t in table if t[4]),
             "dropped": dropped}
    return table, stats


def _misread(phrase: str, reading: str, names) -> str:
    """The characters of ``phrase`` pypinyin reads otherwise than ``reading`` (toneless), alone
    or inside any name of the table that holds it; '' if it reads them all right."""
    target = [to_normal(s) for s in reading.split()]
    wrong = {i for i, (a, b) in enumerate(zip(lazy_pinyin(phrase), target, strict=True)) if a != b}
    for _code, name, _level in names:
        at = name.find(phrase)
        read = lazy_pinyin(name) if at >= 0 else []
        if len(read) == len(name):
            wrong |= {i for i, b in enumerate(target) if read[at + i] != b}
    return "".join(phrase[i] for i in sorted(wrong))


def _decided(phrase: str, reading: str) -> str:
    return "".join(c for c, a, b in zip(phrase, lazy_pinyin(phrase), reading.split(), strict=True)
                   if a != _strip_tone(b))


HEADER = """\
# The place-name reading table: phrases whose reading in place names differs from
# pypinyin's general-purpose dictionary, loaded into pypinyin's phrase dictionary by
# boundaries/readings.py (romanization, search keys, homophone checks and signs use it).
# Method (scripts/build_place_readings.py): the 2023 code table's {names} county- and
# township-level names are read by pypinyin alone; {polyphonic} of them hold a character
# with several readings in pypinyin's single-character dictionary (heteronym=True). For the
# known place-name polyphones a reviewed reading decides: phrases (朝阳 cháo, 单县 shàn,
# 洪洞 tóng …), characters read one way in every place name (都 dū, 长 cháng but 长子, 什 shí,
# 佛 fó, 勒 lè: a row per two-character word pypinyin misreads) and regional readings (圩 xū in
# 广东/广西, 涌 chōng in 广东; dropped where the word also names a place elsewhere). A row is
# written where pypinyin's toneless reading, alone or inside a name, differs; tone-only
# differences get no row; "guard" rows keep readings fixed by hand before the table.
# Sources in the last column. Edit the script's lists, not this file, and run it again;
# then `manage.py rekey_search --commit`. Left undecided:
"""


def write(table, stats, out: Path = OUT):
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER.format(**stats))
        for line in stats["dropped"]:
            fh.write(f"# undecided (regional reading, ambiguous): {line}\n")
        for word, where in sorted(UNDECIDED.items()):
            fh.write(f"# undecided (a word of its own in pypinyin, rule not applied): {word}: "
                     f"{'、'.join(sorted(where))}\n")
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(["phrase", "reading", "decides", "names", "source"])
        for phrase, reading, decides, source, names in table:
            shown = "、".join(sorted(set(names))[:5]) + (f" …{len(set(names))}" if
                                                        len(set(names)) > 5 else "")
            writer.writerow([phrase, reading, decides, shown, source])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--report", action="store_true", help="print the rows, write nothing")
    args = parser.parse_args(argv)
    table, stats = build(args.data)
    if args.report:
        for phrase, reading, decides, _source, names in table:
            print(phrase, reading, decides, len(names), "、".join(sorted(set(names))[:4]))
    else:
        write(table, stats)
    print(stats, file=sys.stderr)


if __name__ == "__main__":
    main()
