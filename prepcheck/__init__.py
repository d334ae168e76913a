"""prepcheck: conformance test harness for PREP difusores."""
