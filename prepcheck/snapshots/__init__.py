"""Snapshots: the plain data probes produce and checks consume.

This layer sits between the two: it imports no probe, no check and no network library, so a
check can be unit-tested with a snapshot built by hand.
"""
