"""Data subjects' rights and deletion periods: Art. 15 information, Art. 17 erasure, retention."""
