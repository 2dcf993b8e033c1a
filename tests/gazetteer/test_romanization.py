"""Romanization by the place-name spelling rules, and the 专名/通名 split."""

import pytest

from gazetteer.names import romanize, split_name, toneless

ROAD = ["大马路", "大道", "环路", "马路", "路", "道"]


@pytest.mark.parametrize("name, generics, joined, expected", [
    ("中山路", ROAD, False, "Zhongshan Lu"),
    ("人民大道", ROAD, False, "Renmin Dadao"),
    ("西安", [], False, "Xi'an"),
    ("天安门", [], False, "Tian'anmen"),
    ("延安路", ROAD, False, "Yan'an Lu"),
    ("吕梁", [], False, "Lüliang"),
    ("女儿湖", ["湖"], False, "Nü'er Hu"),
    ("六盘水市", ["市"], False, "Liupanshui Shi"),  # place reading liù, not lù
    ("长寿路", ROAD, False, "Changshou Lu"),  # cháng, not zhǎng
    ("王村", ["村"], True, "Wangcun"),  # natural villages are one word
    ("蓬江区", ["区"], False, "Pengjiang Qu"),
    ("凉都大道", ROAD, False, "Liangdu Dadao"),  # local readings: dū, not dōu
    ("苕溪路", ROAD, False, "Tiaoxi Lu"),
])
def test_it_romanizes_by_the_place_name_rules(name, generics, joined, expected):
    specific, generic = split_name(name, generics)
    assert romanize(specific, generic, joined=joined) == expected


def test_it_splits_on_the_longest_generic():
    assert split_name("人民大道", ROAD) == ("人民", "大道")
    assert split_name("环城路", ROAD) == ("环城", "路")
    assert split_name("幸福花园", ROAD) == ("幸福花园", "")


def test_it_keys_homophones_and_traditional_forms_alike():
    assert toneless("中山区") == "zhongshanqu"
    assert toneless("钟山区") == "zhongshanqu"
    assert toneless("鍾山區") == "zhongshanqu"
    assert toneless("江門") == toneless("江门")
