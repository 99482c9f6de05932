"""The WSGI application gunicorn serves (`gunicorn portal.wsgi`), with the garbage collector set
for a web worker.

A page builds tens of thousands of short-lived objects (rows, cells, strings). With Python's
defaults the collector ran dozens of times per request, and every full pass walked all the
objects the worker loaded at start (Django, the apps, the templates): on the contacts page of a
large company that was a quarter of its time. So, once the application is loaded:
- what is loaded so far is frozen (`gc.freeze`): it lives as long as the worker, and no pass
  walks it again;
- the youngest generation is collected every `GC_THRESHOLD` allocations instead of 700 (cycles
  of garbage live a little longer; nothing leaks: every cycle is still collected).
Measured in process at the large size (docs/benchmarks.md): the collector's share of the contacts
page fell from about 25 ms to 2 ms, and of the iCalendar feed from about 85 ms to 3 ms.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()

#: Allocations between two collections of the youngest generation (Python's default: 700).
GC_THRESHOLD = 10_000


def tune_garbage_collector(threshold: int = GC_THRESHOLD) -> None:
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(threshold, middle, oldest)


tune_garbage_collector()
