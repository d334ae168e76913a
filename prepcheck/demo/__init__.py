"""``prepcheck demo``: a whole simulacro against the embedded reference difusores, now."""
