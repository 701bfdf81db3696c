"""Brief, framing and timeline: what a reader sees of one story."""

from .framing import frame_articles, neutral_title
from .summary import write_brief
from .timeline import build_timeline

__all__ = ["build_timeline", "frame_articles", "neutral_title", "write_brief"]
