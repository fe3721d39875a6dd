"""Demo data for `seed_demo`: the targets each unit agreed with the funder for last year and this year,
and last year's report of each unit in the archive (generated here, without a worker)."""

from casework.models import Unit
from casework.roles import COORDINATOR, role_group
from reports import generation, periods
from reports.figures import year_actuals
from reports.models import Target

# Targets are agreed near what a unit reached the year before: last year's within ±15 % of its actual
# figures (some reached, some not), this year's a little above them. The targets page would warn about
# anything below half or above twice last year's figure.
SPREAD = {"last": (0.85, 1.15), "this": (0.95, 1.1)}


def seed(*, rng, today, log):
    created = 0
    for unit in Unit.objects.all():
        actuals = year_actuals([unit], today.year - 1)
        for year, spread in ((today.year - 1, SPREAD["last"]), (today.year, SPREAD["this"])):
            for metric in Target.Metric.values:
                actual = actuals.get(metric) or 0
                if not actual:
                    continue  # nothing to agree on where the unit does not do this
                value = max(1, round(actual * rng.uniform(*spread)))
                _target, new = Target.objects.get_or_create(
                    unit=unit, year=year, metric=metric, defaults={"value": value}
                )
                created += new
    log(f"Ziele für den Fördergeber: {created} angelegt.")
    for unit in Unit.objects.all():
        coordinator = role_group(unit, COORDINATOR).user_set.first()
        report = generation.generate_now(coordinator, [unit], periods.year(today.year - 1))
        log(f"Bericht {report.first_day.year} der {unit.short_name} archiviert ({report.get_status_display()}).")
