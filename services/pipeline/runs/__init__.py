"""Refresh runs as persisted in the dashboard store, and what other pages read of them.

``records`` (``RunStore``: the one entry point) over ``run_tables`` (the tables), ``run_lock``
(one run per dataset group: claim, heartbeat, finish), ``run_steps`` (writing steps as they
happen), ``run_reads`` and ``run_values`` (what readers get); ``running_runs`` (runs in progress
for the Operations page) and ``freshness`` (the Overview's alerts about refreshes).
"""
