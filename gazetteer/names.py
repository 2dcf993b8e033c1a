"""Splitting a name into 专名 and 通名, romanizing it, and its search keys.

Romanization follows the place-name spelling rules (中国地名汉语拼音字母拼写规则,
GB/T 16159 §6.1.3, GB 17733): toneless Hanyu Pinyin; the 专名 and the 通名 are
separate words, each capitalised (中山路 → Zhongshan Lu, 六盘水市 → Liupanshui Shi);
the syllables of a word are joined, with an apostrophe before a syllable starting
with a, o or e that does not begin the word (西安 → Xi'an, 天安门 → Tian'anmen);
ü is written ü (吕梁 → Lüliang); names that need no split (自然村 王村) are one word
(Wangcun). Readings come from pypinyin with the place readings that
boundaries.names registers (六盘水 liù, 番禺 pān …).
"""

import opencc
from pypinyin import Style, lazy_pinyin, load_phrases_dict

from boundaries.names import grams, normalize, syllables

_s2t = opencc.OpenCC("s2t")

# Local readings of place words in the seed cities that pypinyin's dictionary gets
# wrong (it reads 凉都 liáng dōu, 苕溪 sháo xī, 长风 zhǎng fēng).
load_phrases_dict({
    "凉都": [["liáng"], ["dū"]],
    "苕溪": [["tiáo"], ["xī"]],
    "长风": [["cháng"], ["fēng"]],
})


def split_name(name: str, generics: list[str]) -> tuple[str, str]:
    """(专名, 通名) by the longest generic of the class the name ends with; ('…', '') if none."""
    for generic in sorted(generics, key=len, reverse=True):
        if name.endswith(generic):
            return name[: -len(generic)], generic
    return name, ""


def _word(text: str) -> str:
    parts = [s for s in lazy_pinyin(text, style=Style.NORMAL, v_to_u=True) if s.strip()]
    if not parts:
        return ""
    word = parts[0].lower() + "".join(
        ("'" + s.lower()) if s[:1].lower() in "aoe" else s.lower() for s in parts[1:]
    )
    return word[:1].upper() + word[1:]


def romanize(specific: str, generic: str = "", *, joined: bool = False) -> str:
    """Zhongshan Lu, Xi'an, Lüliang; one word (Wangcun) when ``joined``."""
    if joined or not generic:
        return _word(specific + generic)
    return " ".join(w for w in (_word(specific), _word(generic)) if w)


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
