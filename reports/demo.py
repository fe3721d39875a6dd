"""Demo data for `seed_demo`: the targets each unit agreed with the funder for last year and this year,
and last year's report of each unit in the archive (generated here, without a worker)."""

from casework.models import Unit
from casework.roles import COORDINATOR, role_group
from reports import generation, periods
from reports.models import Target

# Per 1,000 demo consultations of a unit and year; roughly what the demo data reaches, some above, some below.
TARGETS_PER_THOUSAND = {
    "consultations": 950,
    "hours": 1300,
    "organisations": 100,
    "new_organisations": 40,
    "cases_closed": 5,
    "events": 2,
    "teaching_units": 6,
    "event_participants": 50,
}


def seed(*, rng, today, log):
    created = 0
    for unit in Unit.objects.all():
        volume = unit.consultations.filter(date__year=today.year - 1).count()
        for year in (today.year - 1, today.year):
            for metric, per_thousand in TARGETS_PER_THOUSAND.items():
                value = round(volume * per_thousand / 1000 * rng.uniform(0.9, 1.1))
                _target, new = Target.objects.get_or_create(
                    unit=unit, year=year, metric=metric, defaults={"value": max(value, 1)}
                )
                created += new
    log(f"Ziele für den Fördergeber: {created} angelegt.")
    for unit in Unit.objects.all():
        coordinator = role_group(unit, COORDINATOR).user_set.first()
        report = generation.generate_now(coordinator, [unit], periods.year(today.year - 1))
        log(f"Bericht {report.first_day.year} der {unit.short_name} archiviert ({report.get_status_display()}).")
