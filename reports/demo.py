"""Demo data for `seed_demo`: the targets each unit agreed with the funder for last year and this year,
the Aktenzeichen and last year's Sachbericht texts of each unit, and last year's report of each unit in
the archive (generated here, without a worker), so this year's texts can start from last year's."""

from casework.models import Unit
from casework.roles import COORDINATOR, role_group
from reports import generation, narrative, periods
from reports.figures import year_actuals
from reports.models import FundingReference, Target

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
        last_year = periods.year(today.year - 1)
        FundingReference.objects.get_or_create(
            unit=unit, defaults={"reference": f"II 5 – 53c 06.08 WIR-{unit.code.upper()}/{today.year - 1}"}
        )
        draft = narrative.draft_for(unit.code, last_year)
        if not draft.texts:
            narrative.save_texts(draft, TEXTS[unit.code], coordinator)
        report = generation.generate_now(coordinator, [unit], last_year)
        log(f"Bericht {report.first_day.year} der {unit.short_name} archiviert ({report.get_status_display()}).")


# Last year's Sachbericht of each unit, as a coordinator would write it (plain paragraphs and lists).
TEXTS = {
    "mo": {
        "ausgangslage": (
            "Viele migrantische Vereine in Hessen arbeiten ausschließlich ehrenamtlich. Nach der Pandemie "
            "suchten besonders junge Vereine Unterstützung bei Satzung, Gemeinnützigkeit und Fördermitteln.\n\n"
            "Die Fachstelle war das ganze Jahr mit drei Berater*innen besetzt."
        ),
        "ziele": (
            "Ziel laut Zuwendungsbescheid ist die Professionalisierung (post-)migrantischer Organisationen:\n"
            "- Gründung und Satzung\n- Gemeinnützigkeit und Finanzen\n- Zugang zu Fördermitteln und Netzwerken"
        ),
        "umsetzung": (
            "Die Beratungen fanden überwiegend vor Ort und telefonisch statt; für Vorstände aus dem ländlichen "
            "Raum haben sich Online-Termine bewährt. Die Zahlen der folgenden Abschnitte zeigen Umfang, Themen "
            "und regionale Verteilung."
        ),
        "ergebnisse": (
            "Mehrere Vereine haben die Gemeinnützigkeit erhalten und erstmals Landesmittel beantragt. "
            "Die Beratungsprozesse zeigen, welche Ziele erreicht wurden."
        ),
        "kooperationen": "Enge Zusammenarbeit mit der Fachstelle WIR-Lots*innen, den WIR-Koordinationen und den Freiwilligenagenturen.",
        "abweichungen": "Zwei geplante Fachtage wurden zu einem gemeinsamen Fachtag zusammengelegt.",
        "ausblick": "Im kommenden Jahr liegt ein Schwerpunkt auf Datenschutz und digitaler Vereinsarbeit.",
    },
    "lots": {
        "ausgangslage": (
            "Die Integrationslots*innen-Projekte in Hessen sind sehr unterschiedlich aufgestellt: von jungen "
            "Projekten im Aufbau bis zu langjährigen Trägern mit eigenen Basisqualifizierungen."
        ),
        "ziele": (
            "Die Fachstelle begleitet die Projekte bei der Umsetzung der Qualitätsstandards:\n"
            "- Gewinnung und Basisqualifizierung\n- Begleitung und Reflexion\n- Anerkennung und Empowerment"
        ),
        "umsetzung": (
            "Neben Einzelberatungen der Koordinator*innen fanden Regionaltreffen und Fortbildungen statt. "
            "Die folgenden Abschnitte zeigen Beratungen, Veranstaltungen und Regionen."
        ),
        "ergebnisse": (
            "Die Standortbestimmungen zeigen Fortschritte vor allem bei Begleitung und Anerkennung; die Zahl "
            "aktiver Lots*innen und die Schulungen je Projekt stehen im Abschnitt zu den Lots*innen."
        ),
        "kooperationen": "Austausch mit der Fachstelle Migrantische Organisationen und den Integrationsbüros der Kreise.",
        "abweichungen": "Die Basisqualifizierung im Herbst wurde wegen geringer Anmeldungen in das Frühjahr verlegt.",
        "ausblick": "Geplant sind ein landesweiter Fachtag und eine Handreichung zur Begleitung der Lots*innen.",
    },
}
