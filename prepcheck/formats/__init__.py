"""Readers of the PREP's data formats: the Anexo 13 results CSV and the figures a page shows."""
