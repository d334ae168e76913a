"""The live board of ``prepcheck monitor``: its state, its page and its read-only server."""
