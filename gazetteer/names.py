"""Splitting a name into 专名 and 通名, romanizing it, and its search keys.

Romanization follows the place-name spelling rules (中国地名汉语拼音字母拼写规则,
GB/T 16159 §6.1.3, GB 17733): toneless Hanyu Pinyin; the 专名 and the 通名 are
separate words, each capitalised (中山路 → Zhongshan Lu, 六盘水市 → Liupanshui Shi);
the syllables of a word are joined, with an apostrophe before a syllable starting
with a, o or e that does not begin the word (西安 → Xi'an, 天安门 → Tian'anmen);
ü is written ü (吕梁 → Lüliang); names that need no split (自然村 王村) are one word
(Wangcun). Readings come from pypinyin with the place-name reading table that
boundaries.readings registers (朝阳 cháo, 单县 shàn, 六盘水 liù …); romanize is
boundaries.names', re-exported here.
"""

import opencc

from boundaries.names import grams, normalize, romanize, syllables

_s2t = opencc.OpenCC("s2t")

__all__ = ["romanize", "search_keys", "split_name", "toneless", "traditional"]


def split_name(name: str, generics: list[str]) -> tuple[str, str]:
    """(专名, 通名) by the longest generic of the class the name ends with; ('…', '') if none."""
    for generic in sorted(generics, key=len, reverse=True):
        if name.endswith(generic):
            return name[: -len(generic)], generic
    return name, ""


def traditional(name: str) -> str:
    return _s2t.convert(name)


def search_keys(name: str) -> dict:
    """The keys stored on places and variants: the same scheme as divisions."""
    full = syllables(name)
    return {"pinyin": "".join(full), "initials": "".join(s[0] for s in full if s),
            "grams": grams(name)}


def toneless(name: str) -> str:
    """The homophone key: 中山区 and 钟山区 both give zhongshanqu."""
    return "".join(syllables(normalize(name)))
