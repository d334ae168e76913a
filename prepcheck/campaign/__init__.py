"""The rehearsal campaign: run history, scheduled runs, the live board and alerts.

The ``[campaign]`` table is :mod:`prepcheck.config.settings.campaign`; ``history`` the campaign
database (runs, results, alert outbox; versioned schema with migrations); ``changes`` what
changed since the last run;
``schedule`` systemd/cron units; ``live`` the live board and its read-only server; ``alerts``
transitions, the outbox and its channels; ``watch`` hooks the live board and alerts into
``prepcheck monitor`` one round at a time.
"""
