"""The access report as a PDF letter, printed from its HTML by WeasyPrint.

WeasyPrint needs the system's Pango libraries; it is imported only when a
PDF is asked for, so every other rendering works without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from projections.reports.html import render_html

if TYPE_CHECKING:
    from projections.reports.access import AccessReport

__all__ = ["html_pdf", "render_pdf"]


def render_pdf(report: AccessReport) -> bytes:
    """The same document as the HTML answer, paged on A4 with its footer."""
    return html_pdf(render_html(report))


def html_pdf(html: str) -> bytes:
    """A self-contained HTML document printed on A4 by WeasyPrint."""
    from weasyprint import HTML  # noqa: PLC0415 - heavy, and needs Pango

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
