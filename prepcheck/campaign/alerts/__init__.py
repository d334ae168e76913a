"""Alerts on transitions: pure transitions, a persisted outbox, channels and their couriers."""
