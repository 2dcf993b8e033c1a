"""boundaries.names: the search keys' pinyin is pypinyin's, read faster."""

import csv
import gzip

import pytest
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT
from pypinyin.seg import mmseg

from boundaries.names import _cut, place_name, syllables
from tests.support import CODE_FILES, CODES


def extract_texts() -> list[str]:
    """The names and place names of the shipped extract (六盘水, 东莞, 湖州 and provinces)."""
    texts = []
    for level, name in enumerate(CODE_FILES, start=1):
        with gzip.open(CODES / f"{name}.gz", "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                texts += [row["name"], place_name(row["name"], level)]
    return sorted(set(texts))


def test_it_reads_every_name_of_the_extract_as_lazy_pinyin_does():
    texts = extract_texts()
    assert len(texts) > 2000
    differ = [t for t in texts
              if list(syllables(t)) != [s.lower() for s in lazy_pinyin(
                  t, style=Style.NORMAL, errors="ignore")]]
    assert differ == []


@pytest.mark.parametrize("text", [
    "大箐村村民委员会",   # a tail shared by 300k villages
    "多福巷社区居民委员会",
    "一无可",            # the start of 一无可取 holding no phrase, though 无可 is one
    "朝阳区",            # a place reading registered into the dictionary
    "盘州市", "钟", "村",
])
def test_it_cuts_words_as_pypinyins_segmenter_does(text):
    assert list(_cut(text)) == list(mmseg.seg.cut(text))


def test_it_cuts_a_text_that_only_begins_a_phrase_into_characters():
    # mmseg's strict rule, which a plain longest-match would not follow: 一 无可
    assert "一无可取" in PHRASES_DICT and "无可" in PHRASES_DICT
    assert "一无" not in PHRASES_DICT and "一无可" not in PHRASES_DICT
    assert _cut("一无可") == ("一", "无", "可")
