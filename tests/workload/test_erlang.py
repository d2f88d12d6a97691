"""Erlang C against published values and against the textbook formula."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workload.erlang import crews_needed, erlang_c, probability_wait_longer


def textbook_erlang_c(load: float, servers: int) -> float:
    """DOMAIN.md §3, literally: (A^c/c!)·c/(c−A) / (Σ_{k<c} A^k/k! + (A^c/c!)·c/(c−A))."""
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    return top / (sum(load**k / math.factorial(k) for k in range(servers)) + top)


@pytest.mark.parametrize(
    ("load", "servers", "published"),
    [
        # Widely reproduced call-centre tables: 10 Erlangs offered.
        (10.0, 11, 0.6821),
        (10.0, 12, 0.4494),
        (10.0, 13, 0.2853),
        (10.0, 14, 0.1741),
        # Two servers at load 1: P_wait = 1/3 (M/M/2 closed form 2ρ²/(1+ρ) with ρ = 1/2).
        (1.0, 2, 1 / 3),
        # One server: P_wait equals the utilisation.
        (0.7, 1, 0.7),
    ],
)
def test_published_values(load: float, servers: int, published: float) -> None:
    assert erlang_c(load, servers) == pytest.approx(published, abs=5e-4)


@given(load=st.floats(0.05, 40), extra=st.integers(1, 15))
def test_agrees_with_the_textbook_formula(load: float, extra: int) -> None:
    servers = math.floor(load) + extra
    assert erlang_c(load, servers) == pytest.approx(textbook_erlang_c(load, servers), rel=1e-9)


def test_overloaded_servers_always_wait() -> None:
    assert erlang_c(5.0, 5) == 1.0
    assert probability_wait_longer(10, 0.5, 4, 0.1) == 1.0


def test_crews_needed_meets_the_target_with_no_spare() -> None:
    # 6 calls an hour, 40 minutes each: load 4; 90 % answered within 5 minutes.
    crews = crews_needed(6, 40 / 60, wait_hours=5 / 60, service_level=0.9)
    assert probability_wait_longer(6, 40 / 60, crews, 5 / 60) <= 0.1
    assert probability_wait_longer(6, 40 / 60, crews - 1, 5 / 60) > 0.1
    assert crews == 7


def test_quiet_hours_fall_back_to_the_post_minimum() -> None:
    assert crews_needed(0, 0.5, wait_hours=0.1, service_level=0.9, minimum=1) == 1
    assert crews_needed(0.2, 0.5, wait_hours=0.1, service_level=0.9, minimum=2) == 2
