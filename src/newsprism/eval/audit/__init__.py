"""The real-story audit: what a reader of the report would be misled by (audit/README.md)."""

from .run import evaluate_audit, format_audit

__all__ = ["evaluate_audit", "format_audit"]
