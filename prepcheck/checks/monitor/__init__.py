"""Evaluators of the monitoring checks (monitor.availability, freshness.publication-window,
freshness.missed-periods) and the pure period arithmetic they rest on."""
