"""Many regencies on the distributed engine (Dask distributed): plain data in, plans out, nothing else.

- :mod:`.province`: the province file (``province.toml``: the regencies and their workspace folders), the jobs
  (plain dicts: a workspace path, a week, the limits) and their input hashes.
- :mod:`.task`: :func:`~.task.plan_regency`, the one task a worker process runs per regency: it reads the
  workspace, builds and solves the model there (OR-Tools models never cross processes) and writes the regency's
  outputs as one set (``io.output_set``), with ``done.json`` (the input hash) inside the set.
- :mod:`.run`: :func:`~.run.plan_many`, the client: a local cluster sized to the machine or an existing
  scheduler, one task per regency with retries, progress per regency, skips what is done.
- :mod:`.summary`: the province summary (CSV and Markdown).
"""
