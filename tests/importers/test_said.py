"""The survey reader's refusals keep their template: a page (the survey upload page says
them with config.said.in_language) says them in its language, nested reasons too, while
their English text (a command's message, the API's ``detail``) is what it always was."""

import zipfile

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from config.said import in_language
from importers import survey
from importers.errors import RefusedFile


def said(exc: RefusedFile, language: str) -> str:
    with translation.override(language):
        return in_language(exc.said())


def test_it_says_a_zip_slip_and_its_reason_in_chinese_and_keeps_the_english(tmp_path):
    path = tmp_path / "survey.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("/etc/markers.shp", b"x")
    with pytest.raises(RefusedFile) as refused:
        survey.run(path)
    assert str(refused.value) == (f"{path}: entry '/etc/markers.shp' has an absolute path "
                                  "(zip slip): archive refused")
    assert said(refused.value, "zh-hans") == (f"{path}：条目 '/etc/markers.shp' 含绝对路径"
                                              "（zip slip）：拒收压缩包")
    assert said(refused.value, "en") == str(refused.value)


def test_it_says_a_network_link_in_chinese(tmp_path):
    path = tmp_path / "markers.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [], '
                    '"x": "/vsicurl/http://example.invalid/y.shp"}')
    with pytest.raises(RefusedFile) as refused:
        survey.run(path)
    assert said(refused.value, "zh-hans") == (
        f"{path}：GDAL 虚拟网络路径（/vsicurl/ 等）：文件不得让服务器获取外部内容，拒收")
    assert str(refused.value).endswith(": a GDAL virtual network path (/vsicurl/ and the "
                                       "like): a file may not make the server fetch "
                                       "anything; refused")


@pytest.mark.django_db
def test_it_keeps_the_datum_parameters_refusal_english_in_the_api(client):
    client.force_login(User.objects.create(username="nobody"))
    answer = client.post("/api/v1/datum-parameters", {
        "county": "520201", "source_crs": "EPSG:4610", "kind": "helmert7",
        "values": [0, 0, 0, 0, 0, 0, 0], "authority": "x", "document": "y",
        "valid_from": "2020-01-01"}, content_type="application/json")
    assert answer.status_code == 403
    assert answer.json()["detail"] == ("registering datum parameters is for the place-name "
                                       "office (clerk or admin role)")


@pytest.mark.django_db
def test_it_says_an_undetected_coordinate_system_in_chinese(tmp_path):
    path = tmp_path / "markers.csv"
    path.write_text("界桩号,X,Y\n钟水01,99999999,99999999\n", encoding="utf-8")
    with pytest.raises(RefusedFile) as refused:
        survey.run(path)
    ranges = "x 1e+08…1e+08, y 1e+08…1e+08"
    assert str(refused.value).startswith("no coordinate system declared and none detected "
                                         f"from the coordinates ({ranges}): give --crs")
    assert said(refused.value, "zh-hans").startswith(
        f"文件未声明坐标系，也无法从坐标（{ranges}）判断：请给出 --crs")
