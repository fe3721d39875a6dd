"""Ratings and assessments as the quality tests write them."""

from casework.quality import services as quality

MET, PARTLY, NOT_MET, NOT_RELEVANT = "met", "partly", "not_met", "not_relevant"


def assess(project, unit, day, ratings, by=None):
    """An assessment of `project` rating each criterion in `ratings` ({criterion: rating})."""
    return quality.assessment_create(
        organisation=project,
        unit=unit,
        date=day,
        note="",
        ratings={criterion: (rating, "") for criterion, rating in ratings.items()},
        by=by,
    )


def complete_post(criteria, rating=MET, **extra):
    data = {"date": "2026-01-15", "note": "Gesamteindruck gut."}
    for criterion in criteria:
        data[f"rating_{criterion.pk}"] = rating
        data[f"note_{criterion.pk}"] = ""
    data.update(extra)
    return data
