"""A quick greedy roster, the starting point (hint) of the CP-SAT search.

Demand is filled shift by shift, scarcest first; each place goes to the person with the fewest shifts so
far whose own roster still keeps every hard rule with it (``check`` on that person alone). Auxiliaries
come after the officers of the same shift, so they are never alone. It keeps the locked cells and may
leave demand uncovered (minimum runs, for instance, are hard to grow one day at a time): the search
fixes what it leaves.
"""

from __future__ import annotations

from dataclasses import replace

from rosters.solver import RosterProblem, check


def greedy_roster(problem: RosterProblem) -> dict[tuple[int, int], str]:
    roster: dict[tuple[int, int], str] = {k: v for k, v in problem.fixed.items() if v is not None}
    # The rules of one person alone: no cover (it is soft) and no other people (auxiliaries are placed
    # only where an officer already is, so that rule holds by construction).
    alone = {
        w.id: replace(problem, workers=(replace(w, officer=True),), cover=(), fixed={}, previous=None)
        for w in problem.workers
    }
    mine: dict[int, dict[tuple[int, int], str]] = {w.id: {} for w in problem.workers}
    for (wid, day), code in roster.items():
        mine[wid][(wid, day)] = code
    count = {w.id: len(mine[w.id]) for w in problem.workers}
    ignored = {"min_minutes_period", "min_consecutive_days", "min_consecutive_days_off"}

    def fits(wid: int, day: int, code: str) -> bool:
        if (wid, day) in roster or problem.fixed.get((wid, day), code) != code:
            return False
        trial = {**mine[wid], (wid, day): code}
        return all(v.rule in ignored for v in check(alone[wid], trial))

    # Scarcest demand first: few people able to take it.
    def able(day: int, code: str) -> int:
        return sum(
            1
            for w in problem.workers
            if day not in w.unavailable_days and (w.allowed_shifts is None or code in w.allowed_shifts)
        )

    for c in sorted(problem.cover, key=lambda c: (able(c.day, c.shift) - c.min_people, c.day, c.shift)):
        on = [wid for (wid, day), code in roster.items() if day == c.day and code == c.shift]
        by_id = {w.id: w for w in problem.workers}
        need_leaders = c.min_leaders - sum(1 for wid in on if by_id[wid].duty_leader)
        need_officers = c.min_officers - sum(1 for wid in on if by_id[wid].officer)
        need = c.min_people - len(on)
        # Leaders first, then officers, then anyone (auxiliaries only once an officer is on).
        for wanted in ("leader", "officer", "any"):
            for w in sorted(problem.workers, key=lambda w: (count[w.id], w.id)):
                if need <= 0:
                    break
                if wanted == "leader" and (need_leaders <= 0 or not w.duty_leader):
                    continue
                if wanted == "officer" and (need_officers <= 0 or not w.officer):
                    continue
                if not w.officer and not any(by_id[wid].officer for wid in on):
                    continue
                if not fits(w.id, c.day, c.shift):
                    continue
                roster[(w.id, c.day)] = c.shift
                mine[w.id][(w.id, c.day)] = c.shift
                count[w.id] += 1
                on.append(w.id)
                need -= 1
                need_leaders -= int(w.duty_leader)
                need_officers -= int(w.officer)
    return roster
