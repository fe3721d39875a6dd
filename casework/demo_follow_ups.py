"""Demo data for follow_ups (called by seed_demo after consultations exist)."""


def seed(*, rng, today, log):
    """Create demo records; `rng` is a seeded random.Random, `today` a date, `log` prints a German line."""
