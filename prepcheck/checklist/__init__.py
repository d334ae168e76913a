"""The checklist session: the difusor under test, its observations, the plugin, the runner."""
