"""Renderings of the access report: JSON, Markdown and printable HTML."""

from __future__ import annotations

from typing import TYPE_CHECKING

from projections.reports.html import render_html
from projections.reports.markdown import render_markdown
from projections.reports.pdf import render_pdf
from projections.reports.sections import outline

if TYPE_CHECKING:
    from projections.reports.access import AccessReport

__all__ = ["outline", "render_html", "render_json", "render_markdown", "render_pdf"]


def render_json(report: AccessReport) -> str:
    return report.model_dump_json(indent=2)
