"""The Chinese catalogue is complete: every interface string in the code has a translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
# The main catalogue and the per-feature ones (config/settings.py LOCALE_PATHS reads them all).
CATALOGUES = [
    ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po",
    *sorted((ROOT / "locale" / "features").glob("*/zh_Hans/LC_MESSAGES/django.po")),
]
APPS = ["config", "stations", "personnel", "workload", "allocation", "reports", "audit", "security"]
KEYWORDS = {"_": None, "gettext": None, "gettext_lazy": None, "pgettext": ((1, "c"), 2)}


def code_strings() -> set[str]:
    found: set[str] = set()
    for app in APPS:
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT / app, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_string_in_the_code_is_translated() -> None:
    translated: set[str] = set()
    for path in CATALOGUES:
        with path.open("rb") as handle:
            translated |= {m.id for m in read_po(handle) if m.id and m.string and not m.fuzzy}
    missing = sorted(code_strings() - translated)
    assert not missing, f"run makemessages -l zh_Hans and translate: {missing}"


def test_chinese_is_served_from_the_compiled_catalogue() -> None:
    with translation.override("zh-hans"):
        assert translation.gettext("Community policing team") == "社区警务队"
    with translation.override("en"):
        assert translation.gettext("Community policing team") == "Community policing team"
