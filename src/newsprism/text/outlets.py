"""Who publishes what: an outlet table (name, web domains, country, owner, state control, whether it is a wire
service), with where each row's facts come from.

A small built-in table (`outlets.csv`: facts as of its `as_of` month, each row citing its source) is extended
or overridden, row by row (by name), by the user's CSV in setting `outlets_file`, with the same columns. The
report names an article's source through it (an article with a link but no outlet named: its domain's
outlet), the claims stage counts outlets of one owner (and the outlets running one agency's copy) as one
origin, and the outlet page shows the row.
There is no political-lean column: sides come from what speakers are affiliated with, not from outlets.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

from .. import settings
from ..errors import SettingError

COLUMNS = ("name", "domains", "country", "owner", "state_controlled", "wire_service", "source", "as_of")
_MAX_ROWS = 100_000
_MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Outlet:
    name: str
    domains: tuple[str, ...] = ()
    country: str | None = None  # ISO 3166-1 alpha-2
    owner: str | None = None
    state_controlled: bool | None = None
    wire_service: bool = False
    source: str | None = None  # where the row's facts come from (a URL or a citation)
    as_of: str | None = None  # when they were last checked
    from_user: bool = False  # the row came from setting outlets_file


class OutletTable:
    def __init__(self, outlets: list[Outlet]):
        self.outlets = {o.name.casefold(): o for o in outlets}
        self._domains = {d: o for o in outlets for d in o.domains}

    def named(self, name: str | None) -> Outlet | None:
        return self.outlets.get(" ".join(name.split()).casefold()) if name else None

    def at(self, url: str | None) -> Outlet | None:
        """The outlet whose domain (or a parent domain of it: edition.cnn.com is cnn.com) a link is on."""
        try:
            host = (urlsplit(url).hostname or "") if url else ""
        except ValueError:
            return None
        parts = host.removeprefix("www.").split(".")
        for n in range(len(parts) - 1):
            found = self._domains.get(".".join(parts[n:]))
            if found is not None:
                return found
        return None

    def of(self, outlet: str | None, url: str | None) -> Outlet | None:
        """An article's outlet row: by the outlet it names, else by its link's domain."""
        return self.named(outlet) or self.at(url)

    def origin(self, outlet: str | None, url: str | None) -> str | None:
        """What makes two articles one origin, as a key: the owner where the table knows it, else the outlet
        named (case and spacing aside); None for an article that names no outlet and whose link is unknown."""
        row = self.of(outlet, url)
        if row is not None and row.owner:
            return "owner:" + row.owner.casefold()
        return "outlet:" + " ".join(outlet.split()).casefold() if outlet else None


def _yes(value: str, where: str, column: str) -> bool | None:
    value = value.strip().lower()
    if value in ("", "unknown"):
        return None
    if value in ("yes", "true", "1"):
        return True
    if value in ("no", "false", "0"):
        return False
    raise SettingError(f"{where}: {column} is {value!r}; write yes, no or leave it empty")


def read_outlets(text: str, where: str, from_user: bool = False) -> list[Outlet]:
    """The rows of an outlet CSV (header: at least `name`; any of COLUMNS). Raises SettingError naming the
    file and row of a bad value."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "name" not in reader.fieldnames:
        raise SettingError(
            f"{where}: an outlet table needs a header row with a name column ({', '.join(COLUMNS)})"
        )
    unknown = set(reader.fieldnames) - set(COLUMNS)
    if unknown:
        raise SettingError(
            f"{where}: unknown columns {', '.join(sorted(unknown))}; the columns are {', '.join(COLUMNS)}"
        )
    out = []
    for n, row in enumerate(reader, 2):
        if n > _MAX_ROWS:
            raise SettingError(f"{where}: more than {_MAX_ROWS} rows")
        name = " ".join((row.get("name") or "").split())
        if not name:
            raise SettingError(f"{where}, row {n}: the name is empty")
        cell = {k: (row.get(k) or "").strip() for k in COLUMNS}
        out.append(
            Outlet(
                name=name,
                domains=tuple(d.lower().removeprefix("www.") for d in cell["domains"].split()),
                country=cell["country"].upper() or None,
                owner=cell["owner"] or None,
                state_controlled=_yes(cell["state_controlled"], f"{where}, row {n}", "state_controlled"),
                wire_service=bool(_yes(cell["wire_service"], f"{where}, row {n}", "wire_service")),
                source=cell["source"] or None,
                as_of=cell["as_of"] or None,
                from_user=from_user,
            )
        )
    return out


@lru_cache(maxsize=4)
def _table(user_file: str, modified: float | None = None) -> OutletTable:
    rows = read_outlets(
        files("newsprism.text").joinpath("outlets.csv").read_text(encoding="utf-8"), "outlets.csv"
    )
    if user_file:
        path = Path(user_file)
        try:
            if path.stat().st_size > _MAX_FILE_BYTES:
                raise SettingError(f"{path}: an outlet table over {_MAX_FILE_BYTES // 2**20} MB")
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingError(f"{path} (setting outlets_file): cannot read it ({exc})") from exc
        rows += read_outlets(text, str(path), from_user=True)  # later rows of one name replace earlier ones
    return OutletTable(rows)


def outlet_table() -> OutletTable:
    """The built-in table with the user's (setting outlets_file) over it, read again when that file changes."""
    user_file = str(settings.current().outlets_file or "")
    try:
        modified = Path(user_file).stat().st_mtime if user_file else None
    except OSError:
        modified = None  # _table says why it cannot be read
    return _table(user_file, modified)
