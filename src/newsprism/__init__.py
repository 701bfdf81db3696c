"""newsprism: what every source agrees on, what only one claims, who said what, and how each outlet framed it."""

__version__ = "0.1.0"
