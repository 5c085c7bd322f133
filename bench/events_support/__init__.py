"""Support of bench/events.py (the event hub at city scale). Not a benchmark itself (the Makefile
runs bench/*.py only):

- ``eventgen``: synthetic events of a loaded city, in realistic states, with their timeline,
  assignments, requests, supervision records and involved persons, as the services would have
  written them (deterministic for a seed and a reference time);
- ``loaders``: the set-based loads (areas, people by COPY, the city's users through the services,
  the events by COPY);
- ``server``: gunicorn for the benchmark (environment, start, readiness, stop);
- ``load``: the HTTP load client, standard library only, run as its own process.
"""
