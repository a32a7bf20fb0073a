"""What a gunicorn master does once, before it forks its workers (gunicorn.conf.py,
``when_ready``, with ``preload_app``): compile every template into the cached loader and build
the URL resolver, so that a worker forked to replace a recycled one serves its first requests as
fast as its hundredth; then freeze the objects made so far out of the garbage collector's
generations, so that a worker's full collections do not walk them (and their pages stay shared
between the workers, copy-on-write). No database connection is opened here: one made before a
fork would be shared by every worker. Measured in docs/performance.md ("Worker recycling").
"""

import gc
from pathlib import Path

from django.template import engines
from django.urls import get_resolver


def template_names() -> list[str]:
    """Every template the Django engine can find (its directories and the apps' templates)."""
    engine = engines["django"].engine
    names = set()
    for loader in engine.template_loaders:
        for directory in loader.get_dirs() if hasattr(loader, "get_dirs") else []:
            root = Path(directory)
            names.update(str(p.relative_to(root)) for p in root.rglob("*.html"))
    return sorted(names)


def warm() -> int:
    """Compile the templates and build the resolver; returns how many templates."""
    engine = engines["django"].engine
    names = template_names()
    for name in names:
        engine.get_template(name)
    get_resolver()._populate()
    gc.collect()
    gc.freeze()
    return len(names)
