"""The local web app over a store (`newsprism serve`): every page is the JSON API rendered."""

from .server import CSP, NewsprismServer, make_server, route, serve

__all__ = ["CSP", "NewsprismServer", "make_server", "route", "serve"]
