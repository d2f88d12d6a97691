"""The Chinese catalogue is complete: every interface string, in the code and in the templates, has a
translation."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract, extract_from_dir
from babel.messages.pofile import read_po
from django.utils import translation
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[2]
# The main catalogue and the per-feature ones (config/settings.py LOCALE_PATHS reads them all).
CATALOGUES = [
    ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po",
    *sorted((ROOT / "locale" / "features").glob("*/zh_Hans/LC_MESSAGES/django.po")),
]
APPS = [
    "config",
    "stations",
    "personnel",
    "workload",
    "allocation",
    "rosters",
    "reports",
    "audit",
    "orgdata",
    "apikeys",
    "security",
]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]


def _message_id(message: str | tuple[str, ...]) -> str:
    # Plural messages are found by their singular form, as gettext looks them up.
    return message if isinstance(message, str) else message[0]


def code_strings() -> set[str]:
    found: set[str] = set()
    for app in APPS:
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT / app, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(_message_id(message))
    return found


def _messages_of(template: str, *, origin: str) -> set[str]:
    code = templatize(template, origin=origin)
    # templatize writes Python for xgettext, which ignores indentation; Babel's tokenizer does not.
    code = "\n".join(line.lstrip() for line in code.splitlines())
    return {
        _message_id(message)
        for _lineno, message, _comments, _context in extract("python", io.BytesIO(code.encode()), keywords=KEYWORDS)
    }


def template_strings() -> dict[str, str]:
    """Every {% translate %} and {% blocktranslate %} message of the project's templates, with where.

    Django's own `templatize` (what makemessages uses) turns a template into gettext calls, which
    Babel's Python extractor then reads: the same messages, with the same %(name)s placeholders,
    that Django looks up at render time.
    """
    found: dict[str, str] = {}
    for directory in TEMPLATE_DIRS:
        if ".venv" in directory.parts:
            continue
        for path in sorted(directory.rglob("*.html")):
            for message in _messages_of(path.read_text(encoding="utf-8"), origin=str(path)):
                found.setdefault(message, str(path.relative_to(ROOT)))
    return found


def translated_strings() -> set[str]:
    translated: set[str] = set()
    for path in CATALOGUES:
        with path.open("rb") as handle:
            for m in read_po(handle):
                strings = m.string if isinstance(m.string, tuple) else (m.string,)
                if m.id and all(strings) and not m.fuzzy:
                    translated.add(_message_id(m.id))
    return translated


def test_every_string_in_the_code_is_translated() -> None:
    missing = sorted(code_strings() - translated_strings())
    assert not missing, f"run makemessages -l zh_Hans and translate: {missing}"


def test_every_string_in_the_templates_is_translated() -> None:
    strings = template_strings()
    assert "County overview" in strings  # the extraction itself works
    missing = sorted(set(strings) - translated_strings())
    assert not missing, "translate in a catalogue under locale/: " + "; ".join(f"{m!r} ({strings[m]})" for m in missing)


def test_the_template_check_catches_an_untranslated_string(tmp_path: Path) -> None:
    template = tmp_path / "page.html"
    template.write_text(
        '{% load i18n %}{% translate "Nobody translated this yet" %}'
        "{% blocktranslate with n=3 %}{{ n }} stations{% endblocktranslate %}",
        encoding="utf-8",
    )
    found = _messages_of(template.read_text(encoding="utf-8"), origin=str(template))
    assert found == {"Nobody translated this yet", "%(n)s stations"}
    assert not found & translated_strings()


def test_chinese_is_served_from_the_compiled_catalogue() -> None:
    with translation.override("zh-hans"):
        assert translation.gettext("Community policing team") == "社区警务队"
    with translation.override("en"):
        assert translation.gettext("Community policing team") == "Community policing team"
