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
from pypinyin import Style, load_phrases_dict
from pypinyin.converter import UltimateConverter
from pypinyin.core import Pinyin

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

# Place-name readings where pypinyin's general-purpose dictionary errs.
PLACE_READINGS = {
    "长寿": [["cháng"], ["shòu"]],
    "六盘水": [["liù"], ["pán"], ["shuǐ"]],
    "六安": [["lù"], ["ān"]],
    "六合": [["lù"], ["hé"]],
    "蚌埠": [["bèng"], ["bù"]],
    "番禺": [["pān"], ["yú"]],
    "丽水": [["lí"], ["shuǐ"]],
    "涡阳": [["guō"], ["yáng"]],
    "铅山": [["yán"], ["shān"]],
    "台州": [["tāi"], ["zhōu"]],
    "天台": [["tiān"], ["tāi"]],
    "乐清": [["yuè"], ["qīng"]],
    "洪洞": [["hóng"], ["tóng"]],
    "大箐": [["dà"], ["qìng"]],
    "水城": [["shuǐ"], ["chéng"]],
    "重庆": [["chóng"], ["qìng"]],
}
load_phrases_dict(PLACE_READINGS)

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


@lru_cache(maxsize=200_000)
def syllables(text: str) -> tuple[str, ...]:
    """lazy_pinyin(text, style=NORMAL, errors="ignore"), lower-cased, at a fraction of the cost.

    lazy_pinyin segments the text into words and converts each word on its own;
    converting a word is most of the cost and the 665k division names are made of
    a few tens of thousands of distinct words (村, 委员会, 社区…), so words are cached.
    """
    return tuple(s for word in _PINYIN.seg(text) for s in _word_syllables(word))


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
