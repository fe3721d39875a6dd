"""Demo data for follow_ups (called by seed_demo after consultations and cases exist).

Consultations already carry follow-ups (casework/consultations/demo.py); this adds some to running cases,
assigned to the person responsible for the case (or, failing that, one of the unit's advisors).
"""

import datetime

from django.utils import timezone

from casework import access
from casework.models import Case, FollowUp

CASE_FOLLOW_UP_RATE = 0.6
CASE_TASKS = [
    "Stand beim Amtsgericht (Vereinsregister) nachfragen",
    "Rückmeldung des Finanzamts zur Gemeinnützigkeit abwarten und besprechen",
    "Entwurf des Förderantrags gegenlesen",
    "Frist für den Förderantrag prüfen",
    "Zwischenstand mit dem Vorstand besprechen",
    "Termin für die nächste Prozessberatung vereinbaren",
    "Unterlagen zur Satzungsänderung anfordern",
    "Planung der Basisqualifizierung abstimmen",
    "Verwendungsnachweis: Entwurf des Sachberichts besprechen",
    "Ergebnisse festhalten und Abschluss des Prozesses prüfen",
]


def seed(*, rng, today, log):
    """Create demo records; `rng` is a seeded random.Random, `today` a date, `log` prints a German line."""
    cases = list(
        Case.objects.exclude(status=Case.Status.CLOSED)
        .order_by("pk")
        .values_list("pk", "unit_id", "responsible_id", "opened_on")
    )
    if not cases:
        return
    advisors = {}
    for unit_id in {unit_id for _pk, unit_id, _r, _o in cases}:
        advisors[unit_id] = list(access.advisors_of([unit_id]).values_list("pk", flat=True))
    now = timezone.now()
    follow_ups = []
    for pk, unit_id, responsible_id, opened_on in cases:
        person = responsible_id or (rng.choice(advisors[unit_id]) if advisors[unit_id] else None)
        if person is None or rng.random() >= CASE_FOLLOW_UP_RATE:
            continue
        due_on = max(opened_on, today + datetime.timedelta(days=rng.randint(-21, 60)))
        done = due_on < today and rng.random() < 0.6
        follow_ups.append(
            FollowUp(
                unit_id=unit_id,
                case_id=pk,
                due_on=due_on,
                what=rng.choice(CASE_TASKS),
                assigned_to_id=person,
                created_by_id=person,
                done_at=now if done else None,
                done_by_id=person if done else None,
            )
        )
    log(f"Lege {len(follow_ups)} Wiedervorlagen zu Beratungsprozessen an …")
    FollowUp.objects.bulk_create(follow_ups, batch_size=2000)
