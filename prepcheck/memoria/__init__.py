"""The memoria técnica (section VI): access-log statistics, incidents, load and availability."""
