from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _english_pages(settings) -> None:  # type: ignore[no-untyped-def]
    # Pages follow the browser's language, else LANGUAGE_CODE (zh-hans); these tests read English.
    settings.LANGUAGE_CODE = "en"
