"""The Debian mirror this machine's apt already uses, so the image builds offline from it."""

from __future__ import annotations

from pathlib import Path

APT_ETC = Path("/etc/apt")


class NoMirror(RuntimeError):
    """No apt source for the wanted suite is configured on this machine."""


def apt_mirror(suite: str, apt_etc: Path = APT_ETC) -> str:
    """The first configured URI serving `suite` (deb822 .sources first, then sources.list)."""
    for path in sorted((apt_etc / "sources.list.d").glob("*.sources")):
        for stanza in path.read_text().split("\n\n"):
            fields = _deb822_fields(stanza)
            if "deb" in fields.get("types", "").split() and suite in fields.get(
                    "suites", "").split():
                return fields["uris"].split()[0]
    for path in [apt_etc / "sources.list", *sorted((apt_etc / "sources.list.d").glob("*.list"))]:
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            words = [w for w in line.split("#", 1)[0].split() if not w.startswith("[")]
            if len(words) >= 3 and words[0] == "deb" and words[2] == suite:
                return words[1]
    raise NoMirror(f"no apt source for Debian {suite!r} in {apt_etc}/sources.list(.d): the "
                   "offline image builder downloads packages from the mirror apt already uses")


def _deb822_fields(stanza: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in stanza.splitlines():
        if line.startswith("#") or ":" not in line or line[:1].isspace():
            continue
        key, _, value = line.partition(":")
        fields[key.strip().lower()] = value.strip()
    return fields
