"""Reports: report.json (schema in docs/report.schema.json) and a static HTML report from the store."""

from .build import analysis_to_dict, article_to_dict, build_report
from .html import write_report

__all__ = ["analysis_to_dict", "article_to_dict", "build_report", "write_report"]
