"""Division names: kinds, place names, search keys and query normalisation.

Kinds are read off the name's ending because the statistical code tables carry
no kind column; the placeholder rows (市辖区, 县, 省直辖县级行政区划 at prefecture
level) are statistical groupings, not divisions, and get the kind ``placeholder``.
"""

import re
import unicodedata
from functools import lru_cache
from itertools import chain

import opencc
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT, RE_HANS
from pypinyin.converter import UltimateConverter
from pypinyin.core import Pinyin
from pypinyin.seg import mmseg

# Registers the place-name reading table (朝阳 cháo, 单县 shàn …) before any name is read.
from . import readings  # noqa: F401

PLACEHOLDER = "placeholder"
PLACEHOLDER_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}

# (ending, kind) per level, longest ending first where they overlap.
KIND_ENDINGS = {
    1: [("自治区", "自治区"), ("省", "省")],
    2: [("自治州", "自治州"), ("地区", "地区"), ("盟", "盟"), ("市", "地级市")],
    3: [("自治县", "自治县"), ("自治旗", "自治旗"), ("特区", "特区"), ("林区", "林区"),
        ("开发区", "开发区"), ("新区", "新区"), ("旗", "旗"), ("区", "市辖区"),
        ("县", "县"), ("市", "县级市")],
    4: [("街道办事处", "街道"), ("街道", "街道"), ("民族乡", "民族乡"), ("民族苏木", "苏木"),
        ("苏木", "苏木"), ("镇", "镇"), ("乡", "乡")],
    5: [("村民委员会", "村委会"), ("村委会", "村委会"), ("居民委员会", "居委会"),
        ("居委会", "居委会"), ("社区", "居委会")],
}
OTHER = "其他"

# Organisation endings of village-level names; the place is what precedes them.
ORGANISATION_ENDINGS = re.compile(
    r"(社区居民委员会|社区居委会|村民委员会|居民委员会|村委会|居委会)$"
)


_t2s = opencc.OpenCC("t2s")
_SPACES = re.compile(r"\s+")


def division_kind(name: str, level: int) -> str:
    if level == 1 and name in MUNICIPALITIES:
        return "直辖市"
    if level in (2, 3) and name in PLACEHOLDER_NAMES:
        return PLACEHOLDER
    for ending, kind in KIND_ENDINGS[level]:
        if name.endswith(ending):
            return kind
    return OTHER


def place_name(name: str, level: int) -> str:
    """大箐村村民委员会 → 大箐村; 多福巷社区居委会 → 多福巷社区; other levels unchanged."""
    if level != 5:
        return name
    stripped = ORGANISATION_ENDINGS.sub("", name)
    if not stripped:
        return name
    if name.endswith(("社区居委会", "社区居民委员会")):
        return stripped + "社区"
    return stripped


# What pypinyin.lazy_pinyin builds on every call (pinned pypinyin 0.55.0), built once.
_CONVERTER = UltimateConverter(v_to_u=False, neutral_tone_with_five=False, tone_sandhi=False)
_PINYIN = Pinyin(_CONVERTER)
# The segmenter's prefixes of dictionary phrases, the place readings included: pypinyin
# retrains this set in place when a phrase table is loaded.
_PREFIXES = mmseg.seg._prefix_set._set


@lru_cache(maxsize=200_000)
def syllables(text: str) -> tuple[str, ...]:
    """lazy_pinyin(text, style=NORMAL, errors="ignore"), lower-cased, at a fraction of the cost.

    lazy_pinyin segments the text into words and converts each word on its own;
    converting a word is most of the cost and the 665k division names are made of
    a few tens of thousands of distinct words (村, 委员会, 社区…), so words are cached.
    """
    words = _cut(text) if RE_HANS.match(text) else _PINYIN.seg(text)
    return tuple(s for word in words for s in _word_syllables(word))


@lru_cache(maxsize=200_000)
def _cut(text: str) -> tuple[str, ...]:
    """The words pypinyin's segmenter (mmseg.seg.cut) makes of a text of Chinese characters
    only, memoised on what is left of the text.

    Forward maximum matching carries nothing from one word to the next but the rest of
    the text, so the words of a tail are the same whatever came before it: 村民委员会 is
    cut once, not once per village. Same rules as mmseg's strict mode: the longest
    phrase of the dictionary at the start, else one character; when the whole text is
    the start of a longer phrase and holds none, every character on its own.
    """
    found = 0
    for end in range(1, len(text) + 1):
        head = text[:end]
        if head not in _PREFIXES:
            break
        if head in PHRASES_DICT:
            found = end
    else:
        if not found:
            return tuple(text)
    found = found or 1
    return (text[:found], *_cut(text[found:])) if found < len(text) else (text,)


@lru_cache(maxsize=100_000)
def _word_syllables(word: str) -> tuple[str, ...]:
    # Pinyin.lazy_pinyin flattens converter.convert(word) over the segmented words.
    converted = _CONVERTER.convert(word, Style.NORMAL, False, "ignore", strict=True)
    return tuple(s.lower() for s in chain.from_iterable(converted))


def grams(name: str) -> list[str]:
    chars = list(name)
    return sorted(set(chars) | {a + b for a, b in zip(chars, chars[1:], strict=False)})


def search_keys(name: str, place: str) -> dict:
    full = syllables(name)
    return {
        "pinyin": "".join(full),
        "place_pinyin": "".join(syllables(place)) if place != name else "".join(full),
        "initials": "".join(s[0] for s in full if s),
        "grams": grams(name),
    }


# Typographic apostrophes (xi’an, as word processors write it) are the syllable break '.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'"})


def normalize(text: str) -> str:
    """Full-width to half-width, no spaces, traditional to simplified, lower case, one
    apostrophe."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    text = _SPACES.sub("", text)
    return _t2s.convert(text).lower()


def is_latin(text: str) -> bool:
    return bool(text) and all("a" <= ch <= "z" or ch == "'" for ch in text)


def break_initials(latin: str) -> str | None:
    """A LIKE pattern on the initials key that a pinyin query with syllable breaks needs.

    The keys are stored without breaks, so ``xi'an`` (key ``xian``) would also match 享堂
    (xiangtang) and 先锋 (xianfeng). A break starts a syllable: 西安's initials ``xa``
    hold the ``a`` after the ``x``, theirs (``xt``, ``xf``) do not. None without a break.
    """
    chunks = [chunk for chunk in latin.split("'") if chunk]
    if len(chunks) < 2:
        return None
    return "%".join(chunk[0] for chunk in chunks) + "%"


# Generics of county-level names as the place-name spelling rules write them: a separate,
# capitalised word (朝阳区 → Chaoyang Qu, 单县 → Shan Xian); 自治县 is one word.
COUNTY_GENERICS = [("自治县", "Zizhixian"), ("自治旗", "Zizhiqi"), ("特区", "Tequ"),
                   ("区", "Qu"), ("县", "Xian"), ("市", "Shi"), ("旗", "Qi")]


def _syllables(text: str) -> list[str]:
    return [s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, v_to_u=True) if s.strip()]


def _join(parts: list[str]) -> str:
    """One word of a romanized name: syllables joined, an apostrophe before a, o, e."""
    if not parts:
        return ""
    word = parts[0] + "".join(("'" + s) if s[:1] in "aoe" else s for s in parts[1:])
    return word[:1].upper() + word[1:]


def romanize(specific: str, generic: str = "", *, joined: bool = False) -> str:
    """Zhongshan Lu, Xi'an, Lüliang; one word (Wangcun) when ``joined``.

    The whole name is read at once, so that a reading deciding across the split holds
    (单县 is shàn xiàn, but 单 alone dān), and its syllables are then split."""
    whole = _syllables(specific + generic)
    if joined or not generic:
        return _join(whole)
    if len(whole) == len(specific + generic):  # one syllable a character: split in place
        words = [whole[: len(specific)], whole[len(specific):]]
    else:
        words = [_syllables(specific), _syllables(generic)]
    return " ".join(w for w in map(_join, words) if w)


# The peoples named in autonomous areas' names (双江拉祜族佤族布朗族傣族自治县), written
# after the place and before Zizhixian, each as one word: the people's name as GB/T 3304
# spells it where the official county names use that form (阜新蒙古族自治县 Fuxin Mongolzu,
# 西盟佤族自治县 Ximeng Vazu), else in pinyin (Tujiazu, Chaoxianzu) + "zu".
PEOPLES = {
    "蒙古族": "Mongolzu", "维吾尔族": "Uygurzu", "布依族": "Buyeizu", "佤族": "Vazu",
    "水族": "Suizu", "裕固族": "Yugurzu", "哈萨克族": "Kazakzu", "保安族": "Bonanzu",
    "撒拉族": "Salarzu", "柯尔克孜族": "Kirgizzu", "达斡尔族": "Daurzu", "锡伯族": "Xibezu",
    "塔吉克族": "Tajikzu", "鄂温克族": "Ewenkizu", "鄂伦春族": "Oroqenzu",
    **{p: "" for p in """回族 藏族 苗族 彝族 壮族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 傣族
       黎族 傈僳族 畲族 拉祜族 东乡族 纳西族 景颇族 土族 仫佬族 羌族 布朗族 毛南族 仡佬族
       阿昌族 普米族 怒族 德昂族 京族 赫哲族 门巴族 珞巴族 基诺族 独龙族 各族""".split()},
}


def _peoples(specific: str) -> tuple[str, list[str]]:
    """(place, peoples) of an autonomous area's specific: 长阳土家族 → (长阳, [土家族])."""
    peoples = []
    while True:
        people = next((p for p in sorted(PEOPLES, key=len, reverse=True)
                       if specific.endswith(p) and len(specific) > len(p)), None)
        if people is None:
            return specific, peoples[::-1]
        peoples.append(people)
        specific = specific[: -len(people)]


def romanize_county(name: str) -> str:
    """朝阳区 → Chaoyang Qu, 单县 → Shan Xian, 尉氏县 → Yushi Xian, 六安市 → Lu'an Shi,
    长阳土家族自治县 → Changyang Tujiazu Zizhixian."""
    if name == "神农架林区":  # the one forestry district (万柏林区 is a 区)
        return "Shennongjia Linqu"
    if name in ("城区", "郊区", "矿区"):  # a generic alone is one word
        return romanize(name)
    for ending, latin in (("回族区", "Huizu Qu"), ("矿区", "Kuangqu"), ("新区", "Xinqu")):
        if name.endswith(ending) and len(name) > len(ending):
            return f"{romanize(name[: -len(ending)], ending).split(' ')[0]} {latin}"
    for ending, latin in COUNTY_GENERICS:
        if name.endswith(ending) and len(name) > len(ending):
            place, peoples = _peoples(name[: -len(ending)]) if ending.startswith("自治") \
                else (name[: -len(ending)], [])
            words = [romanize(place, ending).split(" ")[0],
                     *(PEOPLES[p] or romanize(p) for p in peoples)]
            return " ".join([*words, latin])
    return romanize(name)
