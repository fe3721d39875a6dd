"""Bringing the Fachstellen's Excel lists in: column mapping, dry run, all-or-nothing import, undo."""
