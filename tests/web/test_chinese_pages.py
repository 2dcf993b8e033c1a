"""The staff pages in Chinese (the default language) on the demo: a division change with
its timeline and operations, roles and token scopes, the checks' findings, due dates, the
proposal's kind and class, a survey preview, a campaign; and a walk over the pages that
fails on English words of the interface left in them."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from archives.models import Document
from boundaries.temporal import today
from campaigns import services as campaigns
from gazetteer.models import PlaceClass
from inspections import services as inspections
from mergers import changes
from mergers import services as mergers
from proposals.models import Proposal
from tests.inspections.support import bump, gk, line_in_gk, write_csv, write_gpkg
from tests.support import demo_loaded
from tests.test_translations import PLACEHOLDER, PO, entries

from .workspace_data import line_markers, with_password, zhongshui_inspection

pytestmark = pytest.mark.django_db
MERGE = {"op": "merge", "townships": ["520201101", "520201103"], "name": "大河镇",
         "kind": "镇"}
# Codes that reached the pages as they are before (besides the catalogue's own phrases).
CODES = ["draft", "approved", "merge", "create", "townships_after", "worst_seat_distance_m",
         "detected", "declared", "homophone", "duplicate", "read-write", "warning", "error"]

# Names of data, not of the interface: the demo polygons' source.
DATA = ["echarts county maps"]


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    with demo_loaded(django_db_blocker, keep_lines=True), django_db_blocker.unblock():
        yield staff_data(tmp_path_factory.mktemp("survey"))


def staff_data(tmp: Path) -> dict:
    """Two scenarios and an approved change from the first, a survey uploaded on 钟水线
    and a campaign run over 钟山区."""
    planner, approver = with_password("demo-planner"), with_password("demo-approver")
    scenarios = [mergers.scenario_create(actor=planner, title=title, scope="520201",
                                         as_of=today(), operations=[MERGE])
                 for title in ("方案甲", "方案乙")]
    change = changes.division_change_from_scenario(
        actor=planner, scenario=scenarios[0], title=None, kind="merge",
        effective_date=today(), approval_document="黔府函〔2026〕1号",
        approving_authority="贵州省人民政府")
    changes.division_change_approve(actor=approver, change_id=change.id)
    line, inspection, users = zhongshui_inspection()
    inspections.inspection_start_survey(actor=users["a1"], inspection_id=inspection.id)
    points = {n: gk(p) for n, p in line_markers(line).items()}
    path = write_gpkg(tmp / "side-a.gpkg", points, bump(line_in_gk(line), 30))
    upload = inspections.survey_upload(actor=users["a1"], inspection_id=inspection.id,
                                       side="A", path=path)
    # surveyors' CSV: no coordinate system, the northing first (detected, axes swapped)
    csv = inspections.survey_upload(actor=users["b1"], inspection_id=inspection.id, side="B",
                                    path=write_csv(tmp / "side-b.csv", points))
    clerk = with_password("demo-clerk")
    campaign = campaigns.campaign_create(actor=clerk, title="钟山区地名清理",
                                         scope_code="520201")
    campaigns.campaign_run(campaign_id=campaign.id, actor=clerk)
    return {"scenarios": scenarios, "change": change, "inspection": inspection,
            "upload": upload, "csv": csv, "campaign": campaign, "line": line}


def visible(html: str) -> str:
    """The page's text as read: no scripts, styles, tags or attribute values."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", html))


def page(client, username: str, url: str) -> str:
    client.force_login(User.objects.get(username=username))
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return visible(response.content.decode())


def english_phrases() -> set[str]:
    """The catalogue's English phrases of two words or more (placeholders cut out)."""
    found = set()
    for _, msgid in entries(PO):
        for piece in PLACEHOLDER.split(msgid):
            found |= set(re.findall(r"[A-Za-z][a-z'’]+(?: [a-z][a-z'’]+)+", piece))
    return found


def leaks(text: str, phrases: set[str]) -> list[str]:
    """The catalogue's phrases, the codes, and any other run of three English words."""
    found = [p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text)]
    found += [c for c in CODES if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", text)]
    for name in DATA:
        text = text.replace(name, "")
    return sorted(found + re.findall(r"(?<![\w-])[A-Za-z][a-z]+(?: [a-z]+){2,}", text))


def test_it_shows_a_division_change_with_its_kind_state_steps_and_operations(client, demo):
    text = page(client, "demo-planner", f"/mergers/changes/{demo['change'].id}/")
    assert "已批准" in text
    assert "合并/撤并" in text
    assert re.search(r"起草: — → 草案 .*批准: 草案 → 已批准", text)
    assert "撤并: 大河镇 (镇) 520201101, 520201103" in text
    assert leaks(text, english_phrases()) == []


def test_it_says_the_change_in_english_when_asked(client, demo):
    client.force_login(User.objects.get(username="demo-planner"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = visible(client.get(f"/mergers/changes/{demo['change'].id}/").content.decode())
    assert "drafted: — → draft" in text
    assert "merger" in text
    assert "merge: 大河镇" in text


def test_it_names_the_roles_and_token_scopes_in_chinese(client):
    client.force_login(with_password("demo-planner"))
    made = client.post("/accounts/profile/", {"name": "qgis", "scope": "read-write"})
    text = visible(made.content.decode())
    assert "区划规划人员" in text
    assert "读写" in text
    assert "只读（GET、HEAD、OPTIONS）" in text
    assert leaks(text, english_phrases()) == []


def test_it_says_the_findings_of_the_checks_in_chinese(client):
    returned = Proposal.objects.get(name="人民路路")
    text = page(client, "demo-clerk", f"/proposals/{returned.id}/")
    road = PlaceClass.objects.get(slug="road").code
    check = page(client, "demo-clerk", f"/names/check/?name=人民路路&place_class={road}"
                 "&division_code=520201")
    assert "人民路路：通名“路”前还有通名“路”（重叠通名）" in text
    assert "人民路路：通名“路”前还有通名“路”（重叠通名）" in check
    assert "follows another generic" not in text + check


def test_it_gives_the_proposals_kind_and_the_places_class_their_own_labels(client):
    text = page(client, "demo-clerk", f"/proposals/{Proposal.objects.get(name='明湖大道').id}/")
    inbox = page(client, "demo-clerk", "/proposals/")
    for shown in (text, inbox):
        assert "申报类型" in shown
        assert "地名类别" in shown
        assert " 类别 " not in shown


def test_it_shows_due_dates_not_until_now_in_the_inspection_inbox(client, demo):
    client.force_login(User.objects.get(username="ws-clerk"))
    html = client.get("/inspections/").content.decode()
    due_cells = re.findall(r'<td class="due">(.*?)</td>', html)
    assert due_cells
    assert [c for c in due_cells
            if not re.fullmatch(r"截止 \d{4}-\d\d-\d\d|应即联检（从未联检）", c)] == []
    assert "至今" not in visible(html)
    assert f"截止 {demo['inspection'].due_date.isoformat()}" in visible(html)


def test_it_says_a_survey_preview_in_chinese(client, demo):
    i, u = demo["inspection"], demo["upload"]
    text = page(client, "ws-a1", f"/inspections/{i.id}/surveys/{u.id}/")
    assert "（文件声明）" in text.replace("(", "（").replace(")", "）")
    assert "(detected)" not in text
    assert "(declared)" not in text
    assert leaks(text, english_phrases()) == []


def test_it_says_a_survey_files_findings_in_chinese(client, demo):
    i, u = demo["inspection"], demo["csv"]
    text = page(client, "ws-b1", f"/inspections/{i.id}/surveys/{u.id}/")
    assert u.crs_source == "detected"
    assert "(自动识别)" in text
    assert "说明 文件未声明坐标系：根据3 度带高斯-克吕格东坐标（带号 35）判定为 EPSG:4523" in text
    assert "no coordinate system declared" not in text
    assert leaks(text, english_phrases()) == []


def test_it_names_an_archive_documents_linked_records_in_chinese(client):
    linked = Document.objects.filter(links__proposal__isnull=False).first()
    text = page(client, "demo-clerk", f"/archives/{linked.id}/")
    assert re.search(r"地名申报 \d+: ", text)
    assert "proposal" not in text


def test_it_says_a_campaigns_findings_in_chinese(client, demo):
    text = page(client, "demo-clerk", f"/campaigns/{demo['campaign'].id}/")
    assert "同音" in text or "重名" in text
    assert "clashes with the" not in text
    assert leaks(text, english_phrases()) == []


def test_it_leaves_no_english_words_of_the_interface_in_the_chinese_pages(client, demo):
    s1, s2 = demo["scenarios"]
    walk = {
        "demo-planner": ["/mergers/?county=520201", f"/mergers/scenarios/{s1.id}/",
                         f"/mergers/compare?ids={s1.id}&ids={s2.id}", "/accounts/profile/"],
        "demo-clerk": ["/", "/proposals/", "/hazards/", "/campaigns/", "/archives/",
                       "/changes/", "/divisions/520201/",
                       f"/inspections/lines/{demo['line'].id}/markers/"]
        + [f"/proposals/{p.id}/" for p in Proposal.objects.all()]
        + [f"/archives/{d.id}/" for d in Document.objects.order_by("id")[:6]],
        "ws-a1": [f"/inspections/{demo['inspection'].id}/",
                  f"/inspections/{demo['inspection'].id}/report"],
    }
    phrases = english_phrases()
    found = {url: leaks(page(client, user, url), phrases)
             for user, urls in walk.items() for url in urls}
    assert {url: words for url, words in found.items() if words} == {}
    client.force_login(User.objects.get(username="demo-planner"))
    simulated = client.post("/mergers/simulate", {"county": "520201", **MERGE})
    assert leaks(visible(simulated.content.decode()), phrases) == []
