"""Printable dossiers of an organisation and of a consultation: print stylesheet and PDF download."""
