"""Lots*innen figures of the projects the Fachstelle WIR-Lots*innen advises: active guides and trainings."""
