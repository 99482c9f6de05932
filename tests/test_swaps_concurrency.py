"""Two managers approving at the same moment, on PostgreSQL (real concurrent transactions).

Each thread has its own database connection; a barrier releases both approvals together. The
rotation row lock makes the second wait for the first and then re-check the rules, and the
exclusion constraint would stop anything that got past: exactly one set of overrides exists.
"""

import threading

import pytest
import time_machine
from django.db import connection

from escalation.models import Override, SwapState
from escalation.services import swaps as service
from tests import factories
from tests.swaps_data import NOW, accepted_request, build_team

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent approvals need PostgreSQL: SQLite has no row locks and serialises "
        "whole-database writes (set DATABASE_URL=postgres://... to run it)",
    ),
]


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def approve_together(pairs):
    """Approve each (swap, manager) in its own thread, all released at once; the outcomes."""
    barrier = threading.Barrier(len(pairs))
    outcomes = {}

    def approve(index, swap, manager):
        try:
            barrier.wait(timeout=10)
            service.swap_request_approve(swap=swap, by=manager)
            outcomes[index] = "approved"
        except service.SwapError as error:
            outcomes[index] = error.message
        except Exception as error:  # surfaced by the assertion below
            outcomes[index] = repr(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(index, swap, manager))
        for index, (swap, manager) in enumerate(pairs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return [outcomes.get(index) for index in range(len(pairs))]


def test_two_managers_approving_conflicting_requests_at_once_exactly_one_wins():
    team = build_team()
    other_manager = factories.ManagerFactory(username="other-boss")
    # Alex asks Casey, and Drew, to cover the same week: both accept.
    to_casey = accepted_request(team)
    to_drew = accepted_request(team, colleague=team.drew)

    outcomes = approve_together([(to_casey, team.manager), (to_drew, other_manager)])

    assert outcomes.count("approved") == 1, outcomes
    loser_message = next(outcome for outcome in outcomes if outcome != "approved")
    # The loser waits on the rotation's lock; by then the winner has superseded it.
    assert loser_message in {
        service.TRANSITION_NOT_ALLOWED.format(state="superseded", verb="approved"),
        service.REQUESTER_NOT_ON_CALL.format(requester=team.alex, tier="primary"),
        service.OVERRIDE_CONFLICT,
    }
    winner = to_casey if outcomes[0] == "approved" else to_drew
    assert list(Override.objects.in_effect().values_list("swap_request", flat=True)) == [winner.pk]
    for swap in (to_casey, to_drew):
        swap.refresh_from_db()
    assert sorted([to_casey.state, to_drew.state]) == [SwapState.APPROVED, SwapState.SUPERSEDED]


def test_two_managers_approving_the_same_request_at_once_approve_it_once():
    team = build_team()
    other_manager = factories.ManagerFactory(username="other-boss")
    swap = accepted_request(team)

    outcomes = approve_together([(swap, team.manager), (swap, other_manager)])

    assert sorted(outcomes) == sorted(
        ["approved", service.TRANSITION_NOT_ALLOWED.format(state="approved", verb="approved")]
    )
    assert Override.objects.count() == 1
    assert swap.events.filter(action="approved").count() == 1
