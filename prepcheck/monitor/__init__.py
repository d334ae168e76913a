"""Election-night monitoring: a bounded watch loop probing every difusor's main.json, a SQLite
history of observations, and pure evaluators turning that history into the
``monitor.availability``, ``freshness.missed-periods`` and ``freshness.publication-window``
records (plus the incident list the memoria técnica reads).
"""
