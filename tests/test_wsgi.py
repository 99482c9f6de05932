"""The WSGI application gunicorn serves, with the garbage collector set for a web worker."""

import gc

import pytest
from django.core.handlers.wsgi import WSGIHandler


@pytest.fixture
def collector():
    """The collector's settings put back after the test (importing the module tunes it)."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_the_worker_serves_the_portal_with_what_it_loaded_left_out_of_collections(collector):
    from portal import wsgi

    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    wsgi.tune_garbage_collector()

    assert isinstance(wsgi.application, WSGIHandler)
    assert gc.get_freeze_count() > 10_000
    assert gc.get_threshold() == (wsgi.GC_THRESHOLD, 10, 10)
    assert gc.isenabled()


def test_garbage_made_after_the_start_is_still_collected(collector):
    from portal import wsgi

    wsgi.tune_garbage_collector()

    class Node:
        pass

    first, second = Node(), Node()
    first.other, second.other = second, first
    del first, second

    assert gc.collect() >= 2
