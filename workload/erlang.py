"""Erlang C: how many crews an hour needs so calls rarely wait (DOMAIN.md §3, RAND's PCAM).

Pure functions over floats. The waiting probability is computed through the Erlang B recursion,
which stays accurate for large loads where the textbook factorial form overflows.
"""

from __future__ import annotations

import math


def erlang_b(load: float, servers: int) -> float:
    """Blocking probability of `servers` with offered load `load` (Erlangs)."""
    if servers < 0 or load < 0:
        raise ValueError("servers and load must not be negative")
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(load: float, servers: int) -> float:
    """Probability that a call waits at all (P_wait). 1 when the servers cannot keep up (c <= A)."""
    if servers <= load:
        return 1.0
    blocking = erlang_b(load, servers)
    return servers * blocking / (servers - load * (1.0 - blocking))


def probability_wait_longer(arrivals_per_hour: float, handling_hours: float, servers: int, wait_hours: float) -> float:
    """P(wait > t) = P_wait · exp(−(c/S − λ)·t)."""
    load = arrivals_per_hour * handling_hours
    if servers <= load:
        return 1.0
    return erlang_c(load, servers) * math.exp(-(servers / handling_hours - arrivals_per_hour) * wait_hours)


def crews_needed(
    arrivals_per_hour: float, handling_hours: float, *, wait_hours: float, service_level: float, minimum: int = 0
) -> int:
    """The fewest crews with P(wait > t) ≤ 1 − service level, never below `minimum`."""
    if arrivals_per_hour <= 0 or handling_hours <= 0:
        return minimum
    servers = max(minimum, math.floor(arrivals_per_hour * handling_hours) + 1, 1)
    while probability_wait_longer(arrivals_per_hour, handling_hours, servers, wait_hours) > 1.0 - service_level:
        servers += 1
    return servers
