"""The archive catalogue for the archive office: CSV (UTF-8 with a BOM, so that Excel
reads the Chinese) and PDF (reportlab, the CJK font built into it: STSong-Light, so no
font file is needed). The PDF is a plain PDF 1.4, not PDF/A: PDF/A needs embedded fonts
and an ICC output intent, and the built-in CID font is not embedded."""

import csv
import io

from django.utils import translation

from . import selectors

COLUMNS = ["id", "文号", "题名", "日期", "发文机关", "档案分类", "保管期限", "公开日期",
           "版本数", "当前版本", "格式", "大小(字节)", "SHA-256", "查毒", "关联记录"]


def rows(documents) -> list[list[str]]:
    """The catalogue's rows, in Chinese whatever the request's language (as its columns)."""
    with translation.override("zh-hans"):
        return [_row(d) for d in documents]


def _row(d) -> list[str]:
    versions = sorted(d.versions.all(), key=lambda v: v.version)
    latest = versions[-1] if versions else None
    links = "; ".join(f"{link.kind}:{link.target_id} {selectors.link_label(link)}"
                      for link in d.links.all())
    return [str(d.id), d.number, d.title, d.date.isoformat() if d.date else "",
            d.authority, d.get_category_display(), d.retention_label,
            d.published_on.isoformat() if d.published_on else "", str(len(versions)),
            str(latest.version) if latest else "", latest.format if latest else "",
            str(latest.size) if latest else "", latest.sha256 if latest else "",
            latest.get_scan_status_display() if latest else "", links]


def as_csv(documents) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows(documents))
    return buffer.getvalue().encode("utf-8-sig")


# (column, width in points): landscape A4 less the margins is 794 points wide
PDF_COLUMNS = [(0, 24), (1, 90), (2, 150), (3, 50), (4, 90), (5, 50), (6, 36), (7, 50),
               (9, 24), (13, 32), (14, 150)]


def as_pdf(documents, *, title: str = "地名档案目录") -> bytes:
    """A landscape A4 table of the catalogue's main columns."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    cell = ParagraphStyle("cell", fontName="STSong-Light", fontSize=7, leading=9,
                          wordWrap="CJK")
    head = ParagraphStyle("head", parent=cell, fontSize=12, leading=16)
    picked = [i for i, _ in PDF_COLUMNS]
    widths = [w for _, w in PDF_COLUMNS]
    data = [[Paragraph(COLUMNS[i], cell) for i in picked]]
    data += [[Paragraph(_escape(row[i]), cell) for i in picked] for row in rows(documents)]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), title=title, author="registry",
                            leftMargin=24, rightMargin=24, topMargin=24, bottomMargin=24)
    doc.build([Paragraph(title, head), table])
    return out.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
