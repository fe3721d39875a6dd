"""Demo consultations with topics, advisors, sharing grants and their follow-ups (called by seed_demo)."""

import datetime
from collections import defaultdict

from django.contrib.auth.models import Permission
from django.utils import timezone

from casework.access import SHARED_CONSULTATION_PERMISSIONS
from casework.consultations.services import UNIT_TO_ACTION
from casework.management.seeding import BATCH_SIZE, UNIT_CODES, Picker, explicit_timestamps
from casework.models import Consultation, ConsultationGroupObjectPermission, FollowUp, Topic
from casework.roles import ADVISOR, COORDINATOR, ROLE_UNIT_PERMISSIONS, role_group
from organisations.demo import PREDECESSOR_REGIONS
from organisations.models import Region

# Topic → (summary sentences, agreement sentences). Topics renamed in the admin use the generic text.
TOPIC_TEXTS = {
    "Vereinsgründung und Satzung": (
        ["Die Schritte zur Vereinsgründung wurden durchgegangen: Gründungsversammlung, Protokoll, Eintragung beim Amtsgericht.",
         "Der Satzungsentwurf wurde gemeinsam geprüft; Zweckbestimmung und Regelungen zur Mitgliederversammlung sind noch zu ungenau.",
         "Fragen zur Rolle des Notariats und zu den Kosten der Eintragung ins Vereinsregister wurden geklärt."],
        ["Die Organisation überarbeitet den Satzungszweck und schickt den Entwurf vorab zur Durchsicht.",
         "Termin für die Gründungsversammlung wird festgelegt; die Fachstelle stellt eine Protokollvorlage bereit."],
    ),
    "Gemeinnützigkeit und Steuern": (
        ["Voraussetzungen der Gemeinnützigkeit und die Mustersatzung der Abgabenordnung wurden erläutert.",
         "Der Freistellungsbescheid läuft aus; besprochen wurde, welche Unterlagen das Finanzamt erwartet.",
         "Fragen zur Abgrenzung von ideellem Bereich und wirtschaftlichem Geschäftsbetrieb (Vereinsfest, Catering) wurden besprochen."],
        ["Die Organisation reicht die Satzung zur Vorabprüfung beim Finanzamt ein.",
         "Die Fachstelle schickt das Merkblatt zu Zuwendungsbestätigungen."],
    ),
    "Fördermittelakquise": (
        ["Passende Förderprogramme von Land, Kommune und Stiftungen wurden recherchiert und verglichen.",
         "Die Projektidee wurde geschärft, um sie für einen Förderantrag zu formulieren.",
         "Ein Antragsentwurf wurde gemeinsam durchgesehen; Ziele und Zielgruppe sind gut beschrieben, der Finanzplan noch lückenhaft."],
        ["Die Organisation erstellt bis zum nächsten Termin einen Kosten- und Finanzierungsplan.",
         "Die Fachstelle prüft die Antragsfrist und meldet sich mit Hinweisen zur Antragstellung."],
    ),
    "Projektabrechnung und Verwendungsnachweis": (
        ["Aufbau des Verwendungsnachweises (Sachbericht und zahlenmäßiger Nachweis) wurde erklärt.",
         "Belege wurden gesichtet; einige Ausgaben sind nicht eindeutig dem Projekt zuzuordnen.",
         "Fragen zu Honorarverträgen und zur Abrechnung von Ehrenamtspauschalen wurden geklärt."],
        ["Die Organisation sortiert die Belege nach Kostenpositionen und ergänzt fehlende Nachweise.",
         "Der Sachbericht wird im Entwurf vor der Abgabe gemeinsam durchgesehen."],
    ),
    "Finanzen und Buchführung": (
        ["Grundlagen der Vereinsbuchführung (Einnahmen-Überschuss-Rechnung, Kassenbuch, Kassenprüfung) wurden besprochen.",
         "Die Organisation sucht eine einfache Buchhaltungssoftware; Möglichkeiten wurden verglichen.",
         "Die Trennung von Vereins- und Privatkonto sowie die Rolle der Kassenprüfung wurden erläutert."],
        ["Die Organisation richtet ein eigenes Vereinskonto ein und führt ab sofort ein Kassenbuch.",
         "Die Fachstelle vermittelt einen Kontakt zu einer Schulung für Kassenwart*innen."],
    ),
    "Spenden und Sponsoring": (
        ["Möglichkeiten der Spendengewinnung (Online-Spenden, Spendenaktionen, lokale Unternehmen) wurden gesammelt.",
         "Unterschiede zwischen Spende und Sponsoring und die steuerlichen Folgen wurden erläutert."],
        ["Die Organisation entwickelt ein kurzes Spendenkonzept für das kommende Jahr.",
         "Die Fachstelle schickt Beispiele für Zuwendungsbestätigungen."],
    ),
    "Vorstandsarbeit und Vereinsstruktur": (
        ["Aufgabenverteilung im Vorstand und die Vorbereitung der Mitgliederversammlung wurden besprochen.",
         "Der Vorstand möchte Verantwortung auf mehr Schultern verteilen; Möglichkeiten für Arbeitsgruppen wurden gesammelt.",
         "Fragen zur Haftung des Vorstands und zur Vertretung nach außen wurden geklärt."],
        ["Die Organisation erstellt eine Übersicht der Zuständigkeiten im Vorstand.",
         "Die Einladung zur Mitgliederversammlung wird fristgerecht nach Satzung verschickt."],
    ),
    "Ehrenamts- und Mitgliedermanagement": (
        ["Wege zur Gewinnung neuer Mitglieder und Engagierter, besonders Jüngerer, wurden besprochen.",
         "Die Mitgliederverwaltung erfolgt bisher auf Papier; digitale Alternativen wurden vorgestellt.",
         "Formen der Anerkennung für Ehrenamtliche (Ehrenamtscard, Fortbildungen) wurden erläutert."],
        ["Die Organisation plant eine Informationsveranstaltung für Interessierte.",
         "Die Fachstelle schickt Informationen zur Ehrenamtscard Hessen."],
    ),
    "Projektmanagement": (
        ["Zeit- und Meilensteinplanung für das laufende Projekt wurde gemeinsam erstellt.",
         "Rollen und Zuständigkeiten im Projektteam wurden geklärt.",
         "Die Zielgruppe wird schlechter erreicht als geplant; mögliche Anpassungen wurden besprochen."],
        ["Die Organisation passt den Zeitplan an und informiert den Fördergeber über die Verschiebung.",
         "Zwischenstand wird beim nächsten Termin gemeinsam ausgewertet."],
    ),
    "Öffentlichkeitsarbeit und Website": (
        ["Die Organisation möchte sichtbarer werden; Social Media, Pressearbeit und Flyer wurden besprochen.",
         "Die Website ist veraltet; Impressum und Datenschutzerklärung müssen ergänzt werden.",
         "Eine Pressemitteilung zur anstehenden Veranstaltung wurde gemeinsam entworfen."],
        ["Die Organisation aktualisiert Impressum und Datenschutzerklärung der Website.",
         "Die Fachstelle gibt Feedback zum Entwurf des neuen Flyers."],
    ),
    "Datenschutz": (
        ["Grundlagen der DSGVO für Vereine wurden erläutert: Verarbeitungsverzeichnis, Einwilligungen, Löschfristen.",
         "Es wurde besprochen, wie Fotos von Veranstaltungen datenschutzkonform genutzt werden können.",
         "Die Weitergabe von Mitgliederlisten in Messenger-Gruppen wurde kritisch betrachtet."],
        ["Die Organisation erstellt ein Verarbeitungsverzeichnis nach der besprochenen Vorlage.",
         "Eine Einwilligungserklärung für Fotos wird vor der nächsten Veranstaltung eingeführt."],
    ),
    "Vernetzung mit Kommune, Schule, Politik": (
        ["Ansprechstellen in der Kommune (Integrationsbüro, Ausländerbeirat) wurden vorgestellt.",
         "Die Organisation möchte mit Schulen im Stadtteil kooperieren; mögliche Wege wurden besprochen.",
         "Die Teilnahme am örtlichen Runden Tisch Integration wurde vorbereitet."],
        ["Die Fachstelle stellt den Kontakt zum Integrationsbüro her.",
         "Die Organisation stellt sich beim nächsten Treffen des Runden Tischs vor."],
    ),
    "Interkulturelle Öffnung": (
        ["Möglichkeiten, neue Zielgruppen über die eigene Community hinaus anzusprechen, wurden besprochen.",
         "Die Organisation möchte mehrsprachige Angebote machen; Umsetzungsideen wurden gesammelt."],
        ["Die Organisation plant ein offenes Begegnungsangebot im Stadtteil.",
         "Die Fachstelle schickt Materialien zur interkulturellen Öffnung."],
    ),
    "Antidiskriminierung": (
        ["Die Organisation berichtete von Diskriminierungserfahrungen bei der Raumsuche; Handlungsmöglichkeiten wurden besprochen.",
         "Beratungsangebote und Meldestellen bei Diskriminierung in Hessen wurden vorgestellt."],
        ["Die Fachstelle vermittelt den Kontakt zu einer Antidiskriminierungsberatung.",
         "Die Organisation dokumentiert Vorfälle künftig schriftlich."],
    ),
    "Qualitätsstandards der Lots*innen-Arbeit (Kernprofil)": (
        ["Das Kernprofil der WIR-Lots*innen-Arbeit wurde mit dem aktuellen Projektstand abgeglichen.",
         "Besprochen wurde, welche Standards (Qualifizierung, Begleitung, Anerkennung) bereits umgesetzt sind."],
        ["Die Projektkoordination erstellt eine Übersicht, welche Standards noch fehlen.",
         "Das Kernprofil wird im Team der Lots*innen vorgestellt."],
    ),
    "Aufbau eines Lots*innen-Projekts": (
        ["Die Kommune plant ein neues Lots*innen-Projekt; Bedarfsanalyse und mögliche Träger wurden besprochen.",
         "Schritte zum Projektaufbau wurden skizziert: Konzept, Koordinationsstelle, Gewinnung der ersten Lots*innen.",
         "Erfahrungen anderer Projekte in Hessen wurden vorgestellt."],
        ["Die Projektverantwortlichen erstellen einen ersten Konzeptentwurf.",
         "Die Fachstelle vermittelt einen Austausch mit einem erfahrenen Projekt in der Nachbarkommune."],
    ),
    "Weiterentwicklung des Projekts": (
        ["Das Projekt besteht seit mehreren Jahren; neue Einsatzfelder (Gesundheit, Schule, Arbeitsmarkt) wurden diskutiert.",
         "Die Auswertung des letzten Projektjahres wurde gemeinsam besprochen."],
        ["Die Projektkoordination plant einen Klausurtag mit den Lots*innen.",
         "Ideen für neue Einsatzfelder werden priorisiert und beim nächsten Termin besprochen."],
    ),
    "Koordination und Struktur": (
        ["Die Koordinationsstelle ist nur mit wenigen Stunden ausgestattet; Möglichkeiten der Entlastung wurden besprochen.",
         "Abläufe für die Vermittlung von Anfragen an die Lots*innen wurden strukturiert.",
         "Die Übergabe nach einem Personalwechsel in der Koordination wurde begleitet."],
        ["Die Koordination erstellt einen schriftlichen Ablauf für die Vermittlung von Einsätzen.",
         "Die Fachstelle schickt Beispiele für Einsatzvereinbarungen."],
    ),
    "Gewinnung von Lots*innen": (
        ["Wege zur Gewinnung neuer Lots*innen, auch aus migrantischen Communities, wurden gesammelt.",
         "Die Zahl aktiver Lots*innen ist zurückgegangen; Ursachen und Gegenmaßnahmen wurden besprochen."],
        ["Das Projekt startet einen Aufruf über Migrantenorganisationen und Integrationskurse.",
         "Die Fachstelle stellt Kontakte zu Migrantenorganisationen in der Region her."],
    ),
    "Basisqualifizierung": (
        ["Inhalte und Ablauf der Basisqualifizierung für neue Lots*innen wurden geplant.",
         "Referent*innen für die Module Rolle und Grenzen, Kommunikation und Hilfesystem wurden besprochen."],
        ["Die Projektkoordination legt Termine für die Basisqualifizierung fest.",
         "Die Fachstelle schickt die Liste möglicher Referent*innen."],
    ),
    "Begleitung und Reflexion": (
        ["Formate für regelmäßige Reflexionstreffen der Lots*innen wurden besprochen.",
         "Belastende Einsätze wurden thematisiert; Möglichkeiten der Supervision wurden vorgestellt."],
        ["Das Projekt führt monatliche Austauschtreffen für die Lots*innen ein.",
         "Die Fachstelle klärt Möglichkeiten für eine Gruppensupervision."],
    ),
    "Anerkennung und Empowerment der Lots*innen": (
        ["Formen der Anerkennung (Ehrenamtscard, Zertifikat, gemeinsame Feier) wurden gesammelt.",
         "Es wurde besprochen, wie Lots*innen stärker an Entscheidungen im Projekt beteiligt werden können."],
        ["Das Projekt organisiert zum Jahresende eine Anerkennungsveranstaltung.",
         "Zertifikate für die Basisqualifizierung werden vorbereitet."],
    ),
    "Rahmenbedingungen (Versicherung, Aufwandsentschädigung)": (
        ["Fragen zum Unfall- und Haftpflichtversicherungsschutz der Lots*innen wurden geklärt.",
         "Möglichkeiten der Aufwandsentschädigung (Ehrenamtspauschale, Fahrtkosten) wurden erläutert."],
        ["Die Projektkoordination klärt den Versicherungsschutz über die Kommune.",
         "Eine einheitliche Regelung zur Erstattung von Fahrtkosten wird erarbeitet."],
    ),
    "Vernetzung mit Regeldiensten": (
        ["Die Zusammenarbeit mit Jobcenter, Ausländerbehörde und Migrationsberatung wurde besprochen.",
         "Die Lots*innen stoßen bei Behörden auf Unklarheiten über ihre Rolle; Wege zur Klärung wurden gesammelt."],
        ["Das Projekt lädt die Migrationsberatung zu einem Austauschtreffen ein.",
         "Ein Informationsblatt über die Rolle der Lots*innen für Behörden wird erstellt."],
    ),
    "Datenschutz und Schweigepflicht": (
        ["Schweigepflicht und Umgang mit personenbezogenen Daten im Einsatz wurden erläutert.",
         "Die Nutzung von Messengern für die Kommunikation mit Begleiteten wurde kritisch besprochen."],
        ["Die Lots*innen unterschreiben eine Verpflichtungserklärung zur Verschwiegenheit.",
         "Die Fachstelle schickt eine Vorlage für die Einwilligungserklärung der Begleiteten."],
    ),
    "Dokumentation": (
        ["Eine einfache Einsatzdokumentation für die Lots*innen wurde entwickelt.",
         "Es wurde besprochen, welche Zahlen für den Jahresbericht an den Fördergeber benötigt werden."],
        ["Das Projekt testet die neue Dokumentationsvorlage für drei Monate.",
         "Die Zahlen für den Jahresbericht werden bis zum Quartalsende zusammengestellt."],
    ),
    "Landesprogramm WIR und Förderung": (
        ["Fördermöglichkeiten im Landesprogramm WIR wurden erläutert.",
         "Fragen zum Antragsverfahren und zu den Fristen im Landesprogramm WIR wurden geklärt."],
        ["Die Organisation klärt mit der Kommune, ob eine Antragstellung über das WIR-Programm möglich ist.",
         "Die Fachstelle schickt die aktuelle Förderrichtlinie."],
    ),
    "Kooperation von Migrantenorganisationen und Lots*innen-Projekten": (
        ["Möglichkeiten der Zusammenarbeit zwischen Migrantenorganisation und Lots*innen-Projekt wurden ausgelotet.",
         "Mitglieder der Organisation könnten als Lots*innen aktiv werden; Voraussetzungen wurden besprochen."],
        ["Ein gemeinsames Kennenlerntreffen von Organisation und Lots*innen-Projekt wird vereinbart.",
         "Beide Fachstellen stimmen das weitere Vorgehen miteinander ab."],
    ),
    "Engagementförderung und Ehrenamt allgemein": (
        ["Allgemeine Fragen zur Engagementförderung in Hessen wurden besprochen.",
         "Angebote der Freiwilligenagenturen und der Landesehrenamtsagentur wurden vorgestellt."],
        ["Die Fachstelle schickt eine Übersicht über Fortbildungsangebote für Engagierte."],
    ),
}  # fmt: skip
GENERIC_TOPIC_SUMMARY = "Fragen zum Thema „{topic}“ wurden besprochen."
GENERIC_TOPIC_AGREEMENT = "Zum Thema „{topic}“ schickt die Fachstelle weiterführende Informationen."

OPENERS = {
    "on_site": ["Termin vor Ort in den Räumen der Organisation.", "Beratung vor Ort mit Vorstand und aktiven Mitgliedern."],
    "office": ["Beratungsgespräch in der Fachstelle.", "Die Organisation kam mit mehreren Fragen in die Fachstelle."],
    "phone": ["Telefonische Beratung.", "Kurzes Telefonat auf Anfrage der Organisation."],
    "video": ["Beratung per Videokonferenz.", "Videotermin mit den Verantwortlichen."],
    "written": ["Schriftliche Anfrage per E-Mail beantwortet.", "Anfrage per E-Mail, Antwort mit Hinweisen und Materialien."],
}  # fmt: skip
FIRST_CONTACT = ["Erstkontakt: Organisation und Arbeitsweise der Fachstelle wurden vorgestellt.", "Erstes Beratungsgespräch; Anliegen und Ausgangslage wurden aufgenommen."]  # fmt: skip
THIRD_PARTY = ["Der Kontakt kam über das kommunale Integrationsbüro zustande.", "Vermittelt durch eine andere Beratungsstelle."]  # fmt: skip
FOLLOW_UP_AGREEMENT = "Wiedervorlage zum vereinbarten Termin; dann wird der Stand gemeinsam besprochen."

FORMAT_WEIGHTS = {"on_site": 28, "office": 12, "phone": 25, "video": 28, "written": 7}
INITIATOR_WEIGHTS = {"organisation": 55, "unit": 30, "third_party": 15}
DURATION_WEIGHTS = {30: 6, 45: 10, 60: 20, 75: 10, 90: 16, 105: 5, 120: 10, 135: 2, 150: 3, 165: 1, 180: 3, 195: 0.5, 210: 0.5, 225: 0.3, 240: 1}  # fmt: skip
PARTICIPANT_WEIGHTS = {1: 30, 2: 25, 3: 18, 4: 10, 5: 7, 6: 5, 7: 3, 8: 2}
SHARE_RATE = 0.10
MO_CONSULTATION_SHARE = 0.55
FOLLOW_UP_RATE = 0.3
FOLLOW_UP_TASKS = [
    "Nachfassen, ob die Unterlagen eingereicht wurden",
    "Stand der Satzungsänderung erfragen",
    "Rückmeldung zum Förderantrag einholen",
    "Termin für das nächste Gespräch vereinbaren",
    "Materialien zuschicken",
    "Kontakt zur Kommune herstellen",
]


class ConsultationDemo:
    """Plans and writes the demo consultations; `ctx` is the seed_demo run's DemoContext."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = ctx.rng
        self.units, self.staff = ctx.units, ctx.staff
        self.start, self.today = ctx.start, ctx.today

    def _day_picker(self):
        days, weights = [], []
        total_days = (self.today - self.start).days + 1
        for offset in range(total_days):
            day = self.start + datetime.timedelta(days=offset)
            weight = (1.0, 1.0, 1.0, 1.0, 0.9, 0.08, 0.03)[day.weekday()]
            if day.month == 8 or (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day <= 6):
                weight *= 0.4
            weight *= 0.8 + 0.4 * offset / total_days  # the units' work grows a little
            days.append(day)
            weights.append(weight)
        return Picker(self.rng, days, weights)

    def _text(self, unit_code, topics, fmt, initiator, first_contact, partner, follow_up):
        rng = self.rng
        parts = [rng.choice(FIRST_CONTACT) if first_contact else rng.choice(OPENERS[fmt])]
        if initiator == "third_party" and rng.random() < 0.5:
            parts.append(rng.choice(THIRD_PARTY))
        if partner is not None:
            parts.append(f"Gemeinsamer Termin mit der {partner.short_name}.")
        agreements = []
        for topic in topics:
            summaries, topic_agreements = TOPIC_TEXTS.get(
                topic.name, ([GENERIC_TOPIC_SUMMARY], [GENERIC_TOPIC_AGREEMENT])
            )
            parts.append(rng.choice(summaries).format(topic=topic.name))
            if rng.random() < 0.75:
                agreements.append(rng.choice(topic_agreements).format(topic=topic.name))
        if follow_up:
            agreements.append(FOLLOW_UP_AGREEMENT)
        return " ".join(parts), "\n".join(f"- {line}" for line in agreements)

    def plan(self, count, organisations, unit_codes):
        """Plan consultations in memory; returns (consultations sorted by date, topics, advisors)."""
        rng = self.rng
        codes = [code for code in UNIT_CODES if code in set(unit_codes)]
        if not codes or count == 0:
            return [], [], []
        orgs_by_unit = {
            code: [o for o, c in zip(organisations, unit_codes, strict=True) if c == code] for code in codes
        }
        org_pickers = {
            # A few organisations are very active, many only occasionally.
            code: Picker(rng, orgs, [min(rng.paretovariate(1.3), 40.0) for _ in orgs])
            for code, orgs in orgs_by_unit.items()
        }
        topics = list(Topic.objects.active().select_related("unit"))
        joint_topics = [t for t in topics if t.unit_id is None]
        topic_pickers = {}
        for code in codes:
            own = [t for t in topics if t.unit_id == self.units[code].pk] or joint_topics
            topic_pickers[code] = Picker(rng, own, [rng.uniform(0.5, 3.0) for _ in own])
        advisor_pickers = {}
        for code in codes:
            people = self.staff[code][ADVISOR] + self.staff[code][COORDINATOR]
            weights = [3 if i == 0 else 2 for i in range(len(self.staff[code][ADVISOR]))] + [1] * len(self.staff[code][COORDINATOR])  # fmt: skip
            advisor_pickers[code] = Picker(rng, people, weights)

        n_mo = round(count * MO_CONSULTATION_SHARE) if len(codes) == 2 else count
        unit_plan = ["mo"] * n_mo + ["lots"] * (count - n_mo) if len(codes) == 2 else codes * count
        n_shared = round(count * SHARE_RATE) if len(codes) == 2 else 0
        shared = set(rng.sample(range(count), n_shared))
        days = self._day_picker().many(count)
        days.sort()
        rng.shuffle(unit_plan)

        region_by_name = {r.name: r for r in Region.objects.filter(name__in=PREDECESSOR_REGIONS.values())}
        formats = Picker(rng, list(FORMAT_WEIGHTS), list(FORMAT_WEIGHTS.values()))
        initiators = Picker(rng, list(INITIATOR_WEIGHTS), list(INITIATOR_WEIGHTS.values()))
        durations = Picker(rng, list(DURATION_WEIGHTS), list(DURATION_WEIGHTS.values()))
        participant_counts = Picker(rng, list(PARTICIPANT_WEIGHTS), list(PARTICIPANT_WEIGHTS.values()))
        seen = set()  # (organisation, unit) pairs already consulted
        consultations, topic_lists, advisor_lists = [], [], []
        for index, (day, code) in enumerate(zip(days, unit_plan, strict=True)):
            unit = self.units[code]
            org = org_pickers[code]()
            partner = self.units["lots" if code == "mo" else "mo"] if index in shared else None
            region = org.region
            if region.valid_from and day < region.valid_from and region.name in PREDECESSOR_REGIONS:
                region = region_by_name.get(PREDECESSOR_REGIONS[region.name], region)
            fmt = formats()
            initiator = initiators()
            chosen = []
            for _ in range(rng.choices((1, 2, 3), weights=(50, 35, 15))[0]):
                topic = topic_pickers[code]()
                if topic not in chosen:
                    chosen.append(topic)
            if joint_topics and (rng.random() < (0.6 if partner else 0.08)):
                joint = rng.choice(joint_topics)
                if joint not in chosen:
                    chosen.append(joint)
            advisors = [advisor_pickers[code]()]
            if rng.random() < 0.15:
                second = advisor_pickers[code]()
                if second not in advisors:
                    advisors.append(second)
            if partner and rng.random() < 0.5:
                advisors.append(rng.choice(self.staff[partner.code][ADVISOR] or self.staff[partner.code][COORDINATOR]))
            follow_up = day + datetime.timedelta(days=rng.choice((7, 14, 14, 21, 28, 42, 56, 90))) if rng.random() < FOLLOW_UP_RATE else None  # fmt: skip
            summary, agreements = self._text(code, chosen, fmt, initiator, (id(org), code) not in seen, partner, follow_up)  # fmt: skip
            seen.add((id(org), code))
            created_at = self.ctx.aware(min(day + datetime.timedelta(days=rng.choice((0, 0, 0, 1, 2, 3))), self.today), 9, 19)  # fmt: skip
            consultation = Consultation(
                unit=unit,
                shared_with=partner,
                organisation=org,
                region=region,
                date=day,
                duration_minutes=rng.choice((30, 45, 60)) if fmt == "written" else durations(),
                format=fmt,
                initiated_by=initiator,
                participants=1 if fmt == "written" else participant_counts(),
                summary=summary,
                agreements=agreements,
                created_by=advisors[0],
                created_at=created_at,
                updated_at=created_at,
            )
            consultation._history_user = advisors[0]
            consultation._history_date = created_at
            consultation.planned_follow_up_on = follow_up
            consultations.append(consultation)
            topic_lists.append(chosen)
            advisor_lists.append(advisors)
        return consultations, topic_lists, advisor_lists

    # -- contacts --

    def write(self, consultations, topic_lists, advisor_lists):
        """Save the planned consultations (after their organisations), their relations, grants and follow-ups."""
        ctx = self.ctx
        with explicit_timestamps(Consultation):
            # bulk_create fills organisation_id from the (now saved) organisation objects.
            n_shared = sum(1 for c in consultations if c.shared_with_id)
            history = ctx.insert(
                Consultation, consultations, f"Lege {len(consultations)} Beratungen an (davon {n_shared} gemeinsam) …"
            )
            topic_pairs = [(c.pk, t.pk) for c, chosen in zip(consultations, topic_lists, strict=True) for t in chosen]
            ctx.insert_m2m(Consultation.topics.field, topic_pairs, history, "casework.HistoricalConsultation_topics")
            advisor_pairs = [
                (c.pk, u.pk) for c, people in zip(consultations, advisor_lists, strict=True) for u in people
            ]
            ctx.insert_m2m(
                Consultation.advisors.field, advisor_pairs, history, "casework.HistoricalConsultation_advisors"
            )

        ctx.log(f"Vergebe Freigaben für {n_shared} gemeinsame Beratungen …")
        self._grant_shares([c for c in consultations if c.shared_with_id])
        follow_ups = self._plan_follow_ups(consultations, advisor_lists)
        ctx.log(f"Lege {len(follow_ups)} Wiedervorlagen an …")
        FollowUp.objects.bulk_create(follow_ups, batch_size=BATCH_SIZE)
        if not ctx.with_history:
            ctx.log(
                "Hinweis: Diese Datenbank liefert keine IDs aus Masseneinfügungen – Änderungshistorie übersprungen."
            )
        return n_shared

    def _plan_follow_ups(self, consultations, advisor_lists):
        """Follow-ups planned with the consultations; most of those already due are done."""
        now = timezone.now()
        follow_ups = []
        for consultation, advisors in zip(consultations, advisor_lists, strict=True):
            due_on = consultation.planned_follow_up_on
            if due_on is None:
                continue
            done = due_on < self.today and self.rng.random() < 0.8
            follow_ups.append(
                FollowUp(
                    unit_id=consultation.unit_id,
                    consultation=consultation,
                    due_on=due_on,
                    what=self.rng.choice(FOLLOW_UP_TASKS),
                    assigned_to=advisors[0],
                    created_by=advisors[0],
                    done_at=min(self.ctx.aware(due_on), now) if done else None,
                    done_by=advisors[0] if done else None,
                )
            )
        return follow_ups

    def _grant_shares(self, shared):
        """Mirror casework.consultations.services._sync_share_grants for every shared consultation, in bulk."""
        permissions = {
            p.codename: p
            for p in Permission.objects.filter(content_type__app_label="casework", content_type__model="consultation")
        }
        plan = defaultdict(list)  # partner unit id → [(group, permission)]
        for unit in self.units.values():
            for role, unit_codenames in ROLE_UNIT_PERMISSIONS.items():
                group = role_group(unit, role)
                codenames = {SHARED_CONSULTATION_PERMISSIONS[UNIT_TO_ACTION[c]] for c in unit_codenames if c in UNIT_TO_ACTION}  # fmt: skip
                plan[unit.pk] += [(group, permissions[codename]) for codename in sorted(codenames)]
        ConsultationGroupObjectPermission.objects.bulk_create(
            [
                ConsultationGroupObjectPermission(group=group, permission=permission, content_object=consultation)
                for consultation in shared
                for group, permission in plan[consultation.shared_with_id]
            ],
            batch_size=BATCH_SIZE,
        )
