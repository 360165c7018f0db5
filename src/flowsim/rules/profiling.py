"""Profiling and referral at registration (10-Point Plan point 5, seeds/001:640-642).

A share ``policy.profiling.coverage`` of the people registering in a country is screened. The
screening estimates three things, each right with probability ``policy.profiling.accuracy``:
whether the person is a trafficking victim, an unaccompanied or separated child, and in need of
protection. For the two rare traits a false alarm (someone flagged who is not) has probability
``(1 - accuracy) * behaviour.protection.false_alarm_scale``. The estimate routes the person, in
this order, to the trafficking protection process, to child protection, to the asylum procedure
(estimated in need) or to return and migration counselling (estimated not in need). Profiling is
not a status decision (seeds/001:640): it changes where people go, not what they are.
People not screened are referred nowhere and decide for themselves whether to apply.
"""

from __future__ import annotations

from numba import njit

from flowsim.population import Referral
from flowsim.rules import Mechanism


class Profiling(Mechanism):
    """Acts at registration (``reception.register`` calls :func:`refer`)."""

    LEVERS = {
        "profiling_coverage": "policy.profiling.coverage",
        "profiling_accuracy": "policy.profiling.accuracy",
    }


@njit(cache=True)
def refer(
    u_cover,
    u_trafficking,
    u_child,
    u_need,
    trafficked,
    child,
    need,
    coverage,
    accuracy,
    false_alarm_scale,
):
    """Where profiling sends one person (a Referral code); NONE if not screened."""
    if u_cover >= coverage:
        return Referral.NONE
    false_alarm = (1.0 - accuracy) * false_alarm_scale
    if u_trafficking < (accuracy if trafficked else false_alarm):
        return Referral.TRAFFICKING
    if u_child < (accuracy if child else false_alarm):
        return Referral.CHILD
    estimated_need = need if u_need < accuracy else not need
    return Referral.ASYLUM if estimated_need else Referral.COUNSELLING
