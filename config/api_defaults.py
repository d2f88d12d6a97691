"""The pagination and throttle classes the REST framework settings name.

They live apart from config.api because the framework imports them while its own views module is
still loading: this module must not import rest_framework.views (or generics, viewsets).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class PerClientThrottle(SimpleRateThrottle):
    """Requests per API key (by its prefix), else per user account, else per address.

    The counters live in the default cache: Redis in production, so every web worker shares them.
    The rate is read per request (not frozen at import, as SimpleRateThrottle does) so settings can
    change it."""

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")
        return str(rate) if rate else None

    def allow_request(self, request: Request, view: Any) -> bool:
        prefix = getattr(request.auth, "prefix", None)
        self.scope = "api_key" if prefix else "api_user"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        prefix = getattr(request.auth, "prefix", None)
        if prefix:
            ident = f"key:{prefix}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"addr:{self.get_ident(request)}"
        return f"throttle:{self.scope}:{ident}"


# Up to this many rows a list says exactly how many there are; beyond, PostgreSQL's estimate.
EXACT_COUNT_UP_TO = 20_000


class CheapCountPaginator(Paginator):
    """A paginator whose count costs at most EXACT_COUNT_UP_TO rows read.

    COUNT(*) over a city's 1.5 million incidents takes longer than the page itself (over 100 ms on
    the bench machine). Counting stops at the threshold; past it, on PostgreSQL, the planner's row
    estimate stands in and the page says so (`count_is_estimate`). SQLite counts exactly.
    """

    count_is_estimate = False

    @cached_property
    def count(self) -> int:
        queryset: Any = self.object_list
        if not hasattr(queryset, "query"):
            return len(queryset)
        unordered = queryset.order_by()
        if connections[queryset.db].vendor != "postgresql":
            return int(unordered.count())
        bounded = int(unordered[: EXACT_COUNT_UP_TO + 1].count())
        if bounded <= EXACT_COUNT_UP_TO:
            return bounded
        sql, params = unordered.query.sql_with_params()
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        self.count_is_estimate = True
        estimate = (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]["Plan Rows"]
        return max(int(estimate), bounded)


class Pages(PageNumberPagination):
    """Page-number pages: `page`, `page_size` (default 50, at most 500); `count_is_estimate` is true
    when `count` is PostgreSQL's estimate (lists of more than 20,000 rows)."""

    django_paginator_class = CheapCountPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        paginator: Any = self.page.paginator  # type: ignore[union-attr]
        response.data["count_is_estimate"] = paginator.count_is_estimate
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count_is_estimate"] = {
            "type": "boolean",
            "description": "true when count is the database's estimate (more than 20,000 rows)",
        }
        described["required"] = [*described.get("required", []), "count_is_estimate"]
        return described
