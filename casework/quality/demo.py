"""Demo data for quality (called by seed_demo after consultations exist).

About 70% of the Lots*innen projects get 1–4 Standortbestimmungen over the last two years. Each project
starts at its own level and mostly improves from one assessment to the next, with the odd setback.
Everything is written with bulk_create (plus the "created" history rows): a handful of queries.
"""

import datetime

from django.db import connection
from django.utils import timezone

from casework import access
from casework.management.seeding import BATCH_SIZE, raw_insert
from casework.models import Assessment, AssessmentRating, Unit
from casework.quality.services import active_criteria
from organisations.models import Organisation

SHARE_ASSESSED = 0.7
WINDOW_DAYS = 730
LEVELS = [AssessmentRating.Rating.NOT_MET, AssessmentRating.Rating.PARTLY, AssessmentRating.Rating.MET]

OVERALL_NOTES = [
    "Standortbestimmung mit der Projektkoordination vor Ort.",
    "Gemeinsam mit Koordination und zwei Lots*innen durchgegangen.",
    "Schwerpunkt heute: Gewinnung und Basisqualifizierung neuer Lots*innen.",
    "Nach dem Trägerwechsel neu eingeschätzt; Ziele für das nächste Halbjahr vereinbart.",
    "Videotermin mit der Koordination; Vereinbarungen per E-Mail nachgereicht.",
    "",
]
RATING_NOTES = {
    AssessmentRating.Rating.MET: ["Gut umgesetzt.", "Verfahren ist schriftlich festgehalten."],
    AssessmentRating.Rating.PARTLY: ["In Arbeit, nächster Schritt vereinbart.", "Nur teilweise umgesetzt."],
    AssessmentRating.Rating.NOT_MET: [
        "Noch offen; Unterstützung durch die Fachstelle angeboten.",
        "Fehlt bisher, Thema für die nächste Beratung.",
    ],
}


def _dates(rng, earliest, today, count):
    """`count` distinct dates between `earliest` and `today`, at least about a month apart, oldest first."""
    months = max(1, (today - earliest).days // 30)
    count = min(count, months)
    picked = sorted(rng.sample(range(months), count))
    return [min(today, earliest + datetime.timedelta(days=month * 30 + rng.randint(0, 20))) for month in picked]


def _aware(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(11, 0)))


def seed(*, rng, today, log):
    """Create demo records; `rng` is a seeded random.Random, `today` a date, `log` prints a German line."""
    lots = Unit.objects.filter(code="lots").first()
    if lots is None:
        return
    criteria = list(active_criteria().filter(area__unit=lots).order_by("area__position", "position", "id"))
    assessors = list(access.advisors_of([lots.pk]))
    projects = list(
        Organisation.objects.filter(kind=Organisation.Kind.GUIDE_PROJECT, units=lots)
        .order_by("pk")
        .values_list("pk", "created_at")
    )
    if not criteria or not assessors or not projects:
        return
    window_start = today - datetime.timedelta(days=WINDOW_DAYS)
    plans = []  # (assessment, [(criterion, rating, note)])
    for organisation_id, created_at in projects:
        if rng.random() >= SHARE_ASSESSED:
            continue
        earliest = max(window_start, timezone.localtime(created_at).date() if created_at else window_start)
        earliest = min(earliest, today)
        count = rng.choices([1, 2, 3, 4], weights=[30, 30, 25, 15])[0]
        maturity = rng.uniform(0.1, 0.5)
        state = {}
        for criterion in criteria:
            draw = rng.random()
            state[criterion.pk] = 2 if draw < maturity else 1 if draw < maturity + 0.3 else 0
        not_relevant = {c.pk for c in criteria if rng.random() < 0.04}
        for number, day in enumerate(_dates(rng, earliest, today, count)):
            if number:
                for pk, level in state.items():
                    if level < 2 and rng.random() < 0.4:
                        state[pk] = level + 1
                    elif level > 0 and rng.random() < 0.05:
                        state[pk] = level - 1
            assessor = rng.choice(assessors)
            assessment = Assessment(
                unit=lots,
                organisation_id=organisation_id,
                date=day,
                note=rng.choice(OVERALL_NOTES),
                assessed_by=assessor,
            )
            assessment._history_user = assessor
            assessment._history_date = _aware(day)
            ratings = []
            for criterion in criteria:
                if criterion.pk in not_relevant:
                    rating = AssessmentRating.Rating.NOT_RELEVANT
                    note = ""
                else:
                    rating = LEVELS[state[criterion.pk]]
                    note = rng.choice(RATING_NOTES[rating]) if rng.random() < 0.1 else ""
                ratings.append((criterion, rating, note))
            plans.append((assessment, ratings))
    if not plans:
        return
    assessments = [assessment for assessment, _ratings in plans]
    Assessment.objects.bulk_create(assessments, batch_size=BATCH_SIZE)
    if assessments[0].pk is None:  # databases that cannot return ids from a bulk insert
        ids = list(Assessment.objects.order_by("-id").values_list("pk", flat=True)[: len(assessments)])
        for assessment, pk in zip(assessments, reversed(ids), strict=True):
            assessment.pk = pk
    Assessment.history.bulk_history_create(assessments, batch_size=BATCH_SIZE)
    # Ratings are many and narrow: plain INSERTs, then their history rows, as demo.py does for m2m tables.
    rows = [
        (assessment.pk, criterion.pk, rating, note)
        for assessment, ratings in plans
        for criterion, rating, note in ratings
    ]
    attnames = ["assessment_id", "criterion_id", "rating", "note"]
    raw_insert(AssessmentRating, attnames, rows)
    by_assessment = {assessment.pk: assessment for assessment in assessments}
    # Only generated into an empty database: the id range selects exactly the rows just inserted.
    inserted = AssessmentRating.objects.filter(
        assessment_id__gte=min(by_assessment), assessment_id__lte=max(by_assessment)
    ).values_list("id", *attnames)
    history_dates = {pk: connection.ops.adapt_datetimefield_value(a._history_date) for pk, a in by_assessment.items()}
    raw_insert(
        AssessmentRating.history.model,
        ["id", *attnames, "history_date", "history_change_reason", "history_type", "history_user_id"],
        [
            (*row, history_dates[row[1]], "", "+", by_assessment[row[1]].assessed_by_id)
            for row in inserted.iterator(chunk_size=BATCH_SIZE * 10)
        ],
    )
    assessed = len({assessment.organisation_id for assessment in assessments})
    log(
        f"Qualitätsprofile: {len(assessments)} Standortbestimmungen für {assessed} von {len(projects)} "
        f"Lots*innen-Projekten angelegt."
    )
