"""Demo archive documents, attached to the demo's own records so that the catalogue is
not empty: the approvals of 盘县 → 盘州市 and 水城县 → 水城区, the announcement of the
published proposal and an expert opinion on one under review, the agreement and detailed
map of 钟水线, and a place's file. The PDFs are made here (reportlab, its built-in CJK
font); the document numbers have the real form but are examples, as the descriptions say.
"""

import io
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction

from accounts.services import system_actor
from archives import services
from archives.models import Document
from boundaries.models import BoundaryLine, DivisionEvent
from gazetteer.models import Place
from proposals.models import Proposal

SYNTHETIC = "演示数据（合成）：文号与正文为示例。"


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF with the title and the lines, in Chinese."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=True)  # the same bytes every load
    page.setTitle(title)
    page.setFont("STSong-Light", 16)
    page.drawCentredString(A4[0] / 2, A4[1] - 90, title)
    page.setFont("STSong-Light", 11)
    for n, line in enumerate([*lines, "", SYNTHETIC]):
        page.drawString(72, A4[1] - 140 - 20 * n, line)
    page.showPage()
    page.save()
    return out.getvalue()


def _file(actor, *, title, lines, links, **fields) -> Document:
    published = fields.pop("published", False)
    document = services.document_upload(
        actor=actor, file=ContentFile(demo_pdf(title, lines), name=f"{title}.pdf"),
        title=title, retention=fields.pop("retention", "permanent"), description=SYNTHETIC,
        links=links, **fields)
    if published:
        services.document_publish(actor=actor, document_id=document.id,
                                  published_on=document.date)
    return document


def _events(actor) -> int:
    made = 0
    for event in DivisionEvent.objects.filter(draft=False).exclude(subkind="").order_by(
            "effective_date"):
        year, authority = event.effective_date.year, event.approving_authority or "国务院"
        before, after = event.inputs.first(), event.outputs.first()
        title = (f"{authority}关于同意撤销{before.name}设立{after.name}的批复"
                 if before and after else f"{authority}关于{event.subkind}的批复")
        text = event.description or event.subkind
        _file(actor, title=title, number=event.approval_document or f"国函〔{year}〕示例号",
              date=event.effective_date, authority=authority, category="approval",
              published=True, links=[("division_event", event.id)],
              lines=[text[i:i + 40] for i in range(0, len(text), 40)])
        made += 1
    return made


def _proposals(actor) -> int:
    made = 0
    published = Proposal.objects.filter(state="published").first()
    if published is not None:
        publish = published.transitions.filter(action="publish").first()
        links = [("proposal", published.id)] + (
            [("proposal_transition", publish.id)] if publish else [])
        _file(actor, title=f"关于{published.name}命名的公告",
              number=published.announcement_number, date=published.announcement_date,
              authority="六盘水市地名委员会", category="announcement", published=True,
              links=links, lines=[f"经审议，批准将该处命名为“{published.name}”。"])
        made += 1
    reviewed = Proposal.objects.filter(state="committee_review").first()
    if reviewed is not None:
        _file(actor, title=f"{reviewed.name}命名专家论证意见", authority="六盘水市地名委员会办公室",
              category="expert_opinion", retention="long", links=[("proposal", reviewed.id)],
              date=reviewed.created_at.date(),
              lines=["专家组认为：名称符合地名命名规则，同意提交审议。"])
        made += 1
    return made


def _line(actor) -> int:
    line = BoundaryLine.objects.filter(level=3, left_code="520201000000",
                                       right_code="520204000000", valid_to__isnull=True).first()
    if line is None:
        return 0
    _file(actor, title=f"钟山区与水城区行政区域界线协议书（{line.name}）",
          number="黔府函〔2003〕示例号", date=date(2003, 9, 1), authority="贵州省人民政府",
          category="agreement", published=True, links=[("line", line.id)],
          lines=["双方同意以本协议书及所附界线详图为准管理界线。"])
    _file(actor, title=f"{line.name}界线详图", date=date(2003, 9, 1), authority="贵州省民政厅",
          category="detailed_map", links=[("line", line.id)],
          lines=["比例尺 1:50000，界桩位置见附表。"])
    return 2


def _place(actor) -> int:
    place = Place.objects.exclude(heritage_category="").order_by("id").first() \
        or Place.objects.order_by("id").first()
    if place is None:
        return 0
    _file(actor, title=f"{place.name}地名档案卡", authority="地名办", category="other",
          retention="years", retention_years=30, date=place.valid_from,
          links=[("place", place.id)], lines=[f"标准名称：{place.name}", place.meaning[:60]])
    return 1


def load() -> dict:
    """Once, into an archive with no documents; otherwise nothing."""
    held = Document.objects.count()
    if held:
        return {"skipped": held}
    actor = system_actor()
    with transaction.atomic():
        made = _events(actor) + _proposals(actor) + _line(actor) + _place(actor)
    return {"documents": made}
