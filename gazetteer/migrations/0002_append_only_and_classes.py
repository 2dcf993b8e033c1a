"""Naming events are append-only in the database; place classes and naming bans are loaded.

The trigger refuses UPDATE and DELETE row by row, whoever asks (the ORM, raw SQL,
the admin): history is corrected by a new event, never by editing an old one.
Classes and bans are frozen here as they were first loaded (they were read from
fixtures/place_classes.json and fixtures/naming_bans.json): a migration must give every
new database the same rows, whatever the live files say later. Changes are made in the
tables (the admin) or by a later migration.
"""

from django.db import migrations

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION gazetteer_namingevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'naming events are append-only: % of event % refused (record a new event)',
        TG_OP, OLD.id USING ERRCODE = '23001';
END $$;
CREATE TRIGGER gazetteer_namingevent_append_only
BEFORE UPDATE OR DELETE ON gazetteer_namingevent
FOR EACH ROW EXECUTE FUNCTION gazetteer_namingevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS gazetteer_namingevent_append_only ON gazetteer_namingevent;
DROP FUNCTION IF EXISTS gazetteer_namingevent_append_only();
"""

# Place-name classes after GB/T 18521-2001 (地名分类与类别代码编制规则): the first digit is the category (1
# 自然地理实体, 2 人文地理实体), the second the major class; the last two digits are this registry's own
# subdivision and should be checked against the standard's table 2 before any exchange with the
# national database. Scopes follow the naming rules in DOMAIN.md.
CLASSES = [
    {'code': '1110', 'slug': 'river', 'name': '河流', 'group': '河流', 'scope': 'city',
     'max_length': 12, 'generics': ['河', '江', '溪', '水', '川', '涧', '沟', '渠']},
    {'code': '1120', 'slug': 'lake', 'name': '湖泊', 'group': '湖泊', 'scope': 'city',
     'max_length': 12, 'generics': ['湖', '池', '潭', '泊', '海', '淀', '荡']},
    {'code': '1210', 'slug': 'mountain', 'name': '山', 'group': '山', 'scope': 'county',
     'max_length': 12,
     'generics': ['山脉', '山', '峰', '岭', '坡', '岩', '梁', '顶', '坳', '垭', '岗', '尖']},
    {'code': '2110', 'slug': 'province', 'name': '省级行政区', 'group': '省级行政区',
     'scope': 'country', 'max_length': 12, 'division_level': 1,
     'generics': ['特别行政区', '自治区', '省', '市']},
    {'code': '2120', 'slug': 'prefecture', 'name': '地级行政区', 'group': '地级行政区',
     'scope': 'country', 'max_length': 15, 'division_level': 2,
     'generics': ['自治州', '地区', '盟', '市']},
    {'code': '2130', 'slug': 'county', 'name': '县级行政区', 'group': '县级行政区',
     'scope': 'country', 'max_length': 15, 'division_level': 3,
     'generics': ['自治县', '自治旗', '特区', '林区', '区', '县', '市', '旗']},
    {'code': '2140', 'slug': 'township', 'name': '乡级行政区', 'group': '乡级行政区',
     'scope': 'county', 'max_length': 12, 'division_level': 4,
     'generics': ['民族乡', '街道', '苏木', '镇', '乡']},
    {'code': '2310', 'slug': 'community', 'name': '社区', 'group': '村级', 'scope': 'township',
     'max_length': 12, 'division_level': 5, 'generics': ['社区']},
    {'code': '2320', 'slug': 'village', 'name': '行政村', 'group': '村级', 'scope': 'township',
     'max_length': 12, 'division_level': 5, 'generics': ['村']},
    {'code': '2410', 'slug': 'residential', 'name': '住宅区', 'group': '住宅区', 'scope': 'city',
     'max_length': 12,
     'generics': ['小区', '花园', '家园', '公寓', '新村', '苑', '园', '城', '庭', '府', '居', '里']},
    {'code': '2420', 'slug': 'natural_village', 'name': '自然村', 'group': '自然村',
     'scope': 'township', 'max_length': 10, 'joined_romanization': True,
     'generics': ['村', '寨', '屯', '庄', '堡', '坝', '湾', '坪', '冲', '田', '头', '铺']},
    {'code': '2531', 'slug': 'street', 'name': '街', 'group': '街路巷', 'scope': 'city',
     'max_length': 12, 'generics': ['步行街', '大街', '横街', '直街', '街']},
    {'code': '2532', 'slug': 'road', 'name': '路', 'group': '街路巷', 'scope': 'city',
     'max_length': 12, 'generics': ['大马路', '大道', '环路', '马路', '路', '道']},
    {'code': '2533', 'slug': 'lane', 'name': '巷', 'group': '街路巷', 'scope': 'city',
     'max_length': 12, 'generics': ['胡同', '巷', '弄', '里', '坊', '条']},
    {'code': '2540', 'slug': 'building', 'name': '建筑物', 'group': '建筑物', 'scope': 'city',
     'max_length': 15, 'generics': ['大厦', '大楼', '商厦', '中心', '楼', '馆', '塔']},
    {'code': '2551', 'slug': 'bridge', 'name': '桥梁', 'group': '桥梁', 'scope': 'city',
     'max_length': 12, 'generics': ['立交桥', '大桥', '立交', '桥']},
    {'code': '2610', 'slug': 'reservoir', 'name': '水库', 'group': '水库', 'scope': 'city',
     'max_length': 12, 'generics': ['水库', '库', '塘', '坝']},
    {'code': '2720', 'slug': 'square', 'name': '广场', 'group': '广场', 'scope': 'city',
     'max_length': 12, 'generics': ['广场']},
    {'code': '2730', 'slug': 'park', 'name': '公园', 'group': '公园', 'scope': 'city',
     'max_length': 12, 'generics': ['植物园', '动物园', '公园', '游园', '园']},
]

# Patterns the non-standard-name clean-ups (不规范地名清理整治: 大、洋、怪、重) target. The committee edits the
# list in the naming-ban table; person and brand names are added there as it lists them.
BANS = [
    {'pattern': '帝王', 'category': 'grandiose'}, {'pattern': '皇家', 'category': 'grandiose'},
    {'pattern': '皇朝', 'category': 'grandiose'}, {'pattern': '帝景', 'category': 'grandiose'},
    {'pattern': '至尊', 'category': 'grandiose'}, {'pattern': '霸王', 'category': 'grandiose'},
    {'pattern': '国际', 'category': 'grandiose'}, {'pattern': '环球', 'category': 'grandiose'},
    {'pattern': '宇宙', 'category': 'grandiose'}, {'pattern': '天下第一', 'category': 'grandiose'},
    {'pattern': '中央', 'category': 'grandiose'},
    {'pattern': '世界', 'category': 'grandiose', 'severity': 'warn'},
    {'pattern': '曼哈顿', 'category': 'foreign'}, {'pattern': '威尼斯', 'category': 'foreign'},
    {'pattern': '维也纳', 'category': 'foreign'}, {'pattern': '巴黎', 'category': 'foreign'},
    {'pattern': '罗马', 'category': 'foreign'}, {'pattern': '加州', 'category': 'foreign'},
    {'pattern': '香榭', 'category': 'foreign'}, {'pattern': '莱茵', 'category': 'foreign'},
    {'pattern': '欧陆', 'category': 'foreign'}, {'pattern': '纽约', 'category': 'foreign'},
    {'pattern': '伦敦', 'category': 'foreign'}, {'pattern': '地中海', 'category': 'foreign'},
    {'pattern': '托斯卡纳', 'category': 'foreign'}, {'pattern': '普罗旺斯', 'category': 'foreign'},
    {'pattern': '鬼', 'category': 'odd'}, {'pattern': '魔', 'category': 'odd'},
    {'pattern': '屌', 'category': 'odd'}, {'pattern': '奇葩', 'category': 'odd'},
]


def load(apps, schema_editor):
    PlaceClass = apps.get_model("gazetteer", "PlaceClass")
    NamingBan = apps.get_model("gazetteer", "NamingBan")
    for row in CLASSES:
        PlaceClass.objects.update_or_create(code=row["code"], defaults=row)
    for row in BANS:
        NamingBan.objects.update_or_create(pattern=row["pattern"], defaults=row)


class Migration(migrations.Migration):

    dependencies = [
        ("gazetteer", "0001_places"),
    ]

    operations = [
        migrations.RunSQL(APPEND_ONLY, DROP),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
