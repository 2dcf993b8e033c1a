"""The whole demo is a test: a campaign over 钟山区 finds the non-standard names the demo
plants (demo.nonstandard), the same ones on a second run, and each can be triaged."""

import pytest
from django.db import connection

from campaigns import selectors, services
from campaigns.models import Finding, Triage
from demo import nonstandard
from gazetteer import checks
from gazetteer.models import NamingEvent, Place
from proposals.models import Proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(demo_full, clerk):
    c = services.campaign_create(actor=clerk, title="钟山区不规范地名清理", scope_code="520201")
    services.campaign_run(campaign_id=c.id, actor=clerk)
    c.refresh_from_db()
    return c


@pytest.fixture(scope="module")
def demo_full(django_db_setup, django_db_blocker):
    from tests import support

    with support.demo_loaded(django_db_blocker, keep_lines=True):
        yield


def kinds_by_name(campaign) -> dict:
    found: dict = {}
    for f in Finding.objects.filter(campaign=campaign):
        found.setdefault(f.name, set()).add(f.kind)
    return found


def test_it_finds_every_planted_name_with_its_kind(campaign):
    found = kinds_by_name(campaign)
    for _, name, kind in nonstandard.PLANTED:
        assert kind in found.get(name, set()), (name, kind, found.get(name))
    sign = Finding.objects.get(campaign=campaign, sign_code=nonstandard.SIGN[0])
    assert (sign.kind, sign.rule, sign.name) == ("sign", "sign_text", "大箐路")
    assert "大青路" in sign.detail
    banned = Finding.objects.get(campaign=campaign, name="威尼斯小区", kind="banned")
    assert banned.evidence == [{"pattern": "威尼斯", "category": "foreign"}]
    rare = Finding.objects.get(campaign=campaign, name="嵖岈路", kind="charset")
    assert "嵖" in rare.evidence[0]["characters"]
    # both 大箐路 clash with each other, and nothing else in 六盘水 is called so
    dup = Finding.objects.filter(campaign=campaign, name="大箐路", kind="duplicate")
    assert dup.count() == 2
    assert campaign.last_run["checked"] == Place.objects.filter(
        status="standard", divisions__division_code="520201000000",
        divisions__valid_to__isnull=True).distinct().count()


def test_it_reports_the_same_findings_on_a_second_run(campaign, clerk):
    first = set(Finding.objects.filter(campaign=campaign).values_list("fingerprint", flat=True))
    stats = services.campaign_run(campaign_id=campaign.id, actor=clerk)
    again = set(Finding.objects.filter(campaign=campaign).values_list("fingerprint", flat=True))
    assert again == first
    assert stats["new"] == 0
    assert stats["findings"] == len(first) == campaign.last_run["findings"]
    assert Finding.objects.filter(campaign=campaign, last_run=2).count() == len(first)


def test_it_words_clashes_as_the_single_check_does(campaign):
    """Same rule, not a copy: the campaign's unique findings for a place are the ones
    /api/v1/names/check gives for its name renamed to itself (the place excluded)."""
    for name in ("大箐路", "石桥路"):
        place = Place.objects.filter(name=name).order_by("id").first()
        code = place.divisions.order_by("-level").first().division_code
        single = checks.check_name(name=name, place_class=place.place_class,
                                   division_code=code, place=place)
        expected = {(f.severity, f.message) for f in single.findings if f.rule == "unique"}
        got = set(Finding.objects.filter(campaign=campaign, place=place, rule="unique")
                  .values_list("severity", "detail"))
        assert got == expected and got


def test_it_takes_a_planted_name_through_triage_to_a_renaming_proposal(campaign, clerk):
    finding = Finding.objects.get(campaign=campaign, name="威尼斯小区", kind="banned")
    services.finding_triage(finding_id=finding.id, actor=clerk, action="propose",
                            new_name="荷城雅居", reason="崇洋地名")
    finding.refresh_from_db()
    proposal = Proposal.objects.get(id=finding.proposal_id)
    assert (finding.state, proposal.kind, proposal.state) == ("proposed", "renaming",
                                                              "submitted")
    assert (proposal.place_id, proposal.name) == (finding.place_id, "荷城雅居")
    assert "威尼斯" in proposal.reason and f"finding {finding.id}" in proposal.reason
    triage = Triage.objects.get(finding=finding)
    assert (triage.action, triage.from_state, triage.to_state, triage.actor_id) == (
        "propose", "open", "proposed", clerk.id)
    # a new campaign over the same data does not raise it again
    other = services.campaign_create(actor=clerk, title="again", scope_code="520201")
    stats = services.campaign_run(campaign_id=other.id, actor=clerk)
    assert stats["already_triaged"] == 1
    assert not Finding.objects.filter(campaign=other, fingerprint=finding.fingerprint).exists()


def test_it_corrects_a_record_through_the_gazetteer_with_history(campaign, clerk):
    finding = Finding.objects.filter(campaign=campaign, name="大箐村村",
                                     kind="repeated_generic").get()
    services.finding_triage(finding_id=finding.id, actor=clerk, action="correct",
                            new_name="大箐村", document_number="钟府函〔2026〕1号")
    place = Place.objects.get(id=finding.place_id)
    assert place.name == "大箐村"
    event = NamingEvent.objects.get(place=place, kind="renaming")
    assert (event.old_value, event.new_value) == ("大箐村村", "大箐村")
    assert place.variants.filter(kind="former", name="大箐村村").exists()
    report = selectors.report(user=clerk, campaign_id=campaign.id)
    assert report["corrected"] == 1 and report["by_state"]["corrected"] == 1
    assert report["summary"] == (f"{report['checked']} names checked, "
                                 f"{report['non_standard']} non-standard, 1 corrected")


def test_it_keeps_a_name_only_with_a_reason(campaign, clerk):
    from config.errors import BadRequest

    finding = Finding.objects.get(campaign=campaign, name="鬼谷巷", kind="banned")
    with pytest.raises(BadRequest, match="reason"):
        services.finding_triage(finding_id=finding.id, actor=clerk, action="keep")
    services.finding_triage(finding_id=finding.id, actor=clerk, action="keep",
                            reason="鬼谷子传说，历史地名")
    finding.refresh_from_db()
    assert finding.state == "kept"
    counts = selectors.counts(campaign)
    assert counts["by_state"]["kept"] == 1


def test_it_refuses_to_change_a_triage(campaign, clerk):
    finding = Finding.objects.get(campaign=campaign, name="皇家花园", kind="banned")
    services.finding_triage(finding_id=finding.id, actor=clerk, action="keep", reason="x")
    with pytest.raises(Exception, match="append-only|permission denied"), \
            connection.cursor() as cur:
        cur.execute("UPDATE campaigns_triage SET reason = 'y' WHERE finding_id = %s",
                    [finding.id])


def test_it_corrects_a_sign_by_putting_up_one_showing_the_record(campaign, clerk):
    from gazetteer.models import Sign

    finding = Finding.objects.get(campaign=campaign, sign_code=nonstandard.SIGN[0])
    services.finding_triage(finding_id=finding.id, actor=clerk, action="correct")
    old = Sign.objects.get(code=nonstandard.SIGN[0])
    assert old.status == "removed"
    assert (old.replaced_by.text, old.replaced_by.status) == ("大箐路", "installed")
    assert old.states.filter(status="removed").exists()


def test_it_plants_the_names_once(campaign):
    assert nonstandard.load() == {"skipped": len(nonstandard.PLANTED)}
    assert Place.objects.filter(name="大箐路").count() == 2


# a new name per class for the renaming proposals (specifics no demo name uses)
RENAMED = {"road": "路", "lane": "巷", "residential": "苑", "natural_village": "寨"}
SPECIFICS = iter(["梧桐", "银杏", "青杠", "杜鹃", "木棉", "金桂", "香樟", "玉兰", "红枫"])


def test_it_raises_on_the_demo_only_the_planted_names(campaign):
    flagged = set(Finding.objects.filter(campaign=campaign, subject="place")
                  .values_list("name", flat=True))
    assert flagged == {name for _, name, _ in nonstandard.PLANTED}


def test_it_takes_each_planted_name_through_triage_to_a_renaming_proposal(campaign, clerk):
    planted = {(name, kind) for _, name, kind in nonstandard.PLANTED}
    findings = [f for f in Finding.objects.filter(campaign=campaign, subject="place")
                .order_by("id") if (f.name, f.kind) in planted]
    assert len({f.place_id for f in findings}) == len(nonstandard.PLANTED)
    proposed = {}
    for finding in findings:
        finding.refresh_from_db()
        if finding.place_id in proposed or finding.state != "open":
            continue
        cls = Place.objects.get(id=finding.place_id).place_class.slug
        new_name = next(SPECIFICS) + RENAMED[cls]
        services.finding_triage(finding_id=finding.id, actor=clerk, action="propose",
                                new_name=new_name, reason="清理整治")
        finding.refresh_from_db()
        proposal = Proposal.objects.get(id=finding.proposal_id)
        assert (finding.state, proposal.kind, proposal.state) == ("proposed", "renaming",
                                                                  "submitted")
        assert (proposal.place_id, proposal.name) == (finding.place_id, new_name)
        proposed[finding.place_id] = proposal.id
    assert len(proposed) == len(nonstandard.PLANTED)
