"""Reproducible demo data for development: demo logins, organisations, contacts, consultations.

Used by `manage.py seed_demo`. Everything random comes from one `random.Random(seed)`,
so the same seed on an empty database yields the same data. Large volumes are written
with `bulk_create` (no per-row queries); the simple-history "created" records and
their m2m snapshots are written in bulk as well, backdated to the generated dates.
"""

import datetime
import random
import time
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.utils import timezone
from django.utils.text import slugify

from casework.access import SHARED_CONSULTATION_PERMISSIONS
from casework.models import Consultation, ConsultationGroupObjectPermission, FollowUp, Topic, Unit
from casework.roles import ADMIN_GROUP_NAME, ADVISOR, COORDINATOR, ROLE_UNIT_PERMISSIONS, ensure_roles, role_group

# The same unit-permission → action mapping the real sharing code uses, so grants match it.
from casework.services import _UNIT_TO_ACTION
from organisations.models import ContactPerson, Organisation, Region

DEMO_PASSWORD = "demo"
BATCH_SIZE = 2000
UNIT_CODES = ("mo", "lots")


# --- People ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    unit_code: str | None  # None: administration
    role: str | None
    login: bool = True  # listed in the login table, password "demo"


DEMO_PEOPLE = [
    DemoPerson("beratung-mo", "Aylin", "Demir", "mo", ADVISOR),
    DemoPerson("koordination-mo", "Thomas", "Becker", "mo", COORDINATOR),
    DemoPerson("beratung-lots", "Julia", "Schneider", "lots", ADVISOR),
    DemoPerson("koordination-lots", "Samir", "Haddad", "lots", COORDINATOR),
    DemoPerson("admin", "Katrin", "Weber", None, None),
    # Further advisors without a usable password: they make advisor filters meaningful.
    DemoPerson("n.rahimi", "Nadia", "Rahimi", "mo", ADVISOR, login=False),
    DemoPerson("j.hoffmann", "Jonas", "Hoffmann", "mo", ADVISOR, login=False),
    DemoPerson("f.yilmaz", "Fatma", "Yılmaz", "mo", ADVISOR, login=False),
    DemoPerson("m.krueger", "Miriam", "Krüger", "lots", ADVISOR, login=False),
    DemoPerson("d.okafor", "Daniel", "Okafor", "lots", ADVISOR, login=False),
    DemoPerson("s.wagner", "Sophie", "Wagner", "lots", ADVISOR, login=False),
]


def demo_units() -> dict[str, Unit]:
    return {unit.code: unit for unit in Unit.objects.filter(code__in=UNIT_CODES)}


def ensure_demo_people(units: dict[str, Unit]):
    """Create (or refresh) the demo people and their group memberships; idempotent.

    Returns (logins, staff) where logins are (person, user, group label) rows for the
    login table and staff maps unit code → role → list of users.
    """
    User = get_user_model()
    ensure_roles()
    admin_group = Group.objects.get(name=ADMIN_GROUP_NAME)
    existing = {user.username: user for user in User.objects.filter(username__in=[p.username for p in DEMO_PEOPLE])}
    logins = []
    staff = {code: {ADVISOR: [], COORDINATOR: []} for code in units}
    for person in DEMO_PEOPLE:
        user = existing.get(person.username) or User(username=person.username)
        user.first_name = person.first_name
        user.last_name = person.last_name
        user.email = f"{_ascii(person.username)}@demo.example"
        user.is_active = True
        if person.unit_code is None:
            user.is_staff = user.is_superuser = True
        if person.login:
            user.set_password(DEMO_PASSWORD)
        elif not user.pk:
            user.set_unusable_password()
        user.save()
        if person.unit_code is None:
            group = admin_group
        else:
            group = role_group(units[person.unit_code], person.role)
            staff[person.unit_code][person.role].append(user)
        user.groups.add(group)
        if person.login:
            label = group.name + (" (Superuser)" if user.is_superuser else "")
            logins.append((person, user, label))
    return logins, staff


# --- Vocabulary ------------------------------------------------------------------------------------

# Region name → (weight, telephone area code, municipalities). Unknown regions fall back to their name.
REGION_DATA = {
    "Darmstadt": (4, "06151", ["Darmstadt"]),
    "Frankfurt am Main": (12, "069", ["Frankfurt am Main"]),
    "Offenbach am Main": (5, "069", ["Offenbach am Main"]),
    "Wiesbaden": (6, "0611", ["Wiesbaden"]),
    "Hanau": (3, "06181", ["Hanau"]),
    "Bergstraße": (3, "06251", ["Bensheim", "Heppenheim", "Viernheim", "Lampertheim", "Bürstadt", "Lorsch"]),
    "Darmstadt-Dieburg": (
        3,
        "06071",
        ["Dieburg", "Griesheim", "Pfungstadt", "Weiterstadt", "Groß-Umstadt", "Babenhausen"],
    ),
    "Groß-Gerau": (
        4,
        "06152",
        ["Rüsselsheim am Main", "Groß-Gerau", "Mörfelden-Walldorf", "Kelsterbach", "Raunheim", "Riedstadt"],
    ),
    "Hochtaunuskreis": (
        2,
        "06172",
        ["Bad Homburg vor der Höhe", "Oberursel (Taunus)", "Friedrichsdorf", "Usingen", "Kronberg im Taunus"],
    ),
    "Main-Kinzig-Kreis": (
        3,
        "06051",
        ["Gelnhausen", "Maintal", "Bruchköbel", "Schlüchtern", "Nidderau", "Langenselbold"],
    ),
    "Main-Taunus-Kreis": (
        3,
        "06192",
        [
            "Hofheim am Taunus",
            "Eschborn",
            "Bad Soden am Taunus",
            "Hattersheim am Main",
            "Flörsheim am Main",
            "Schwalbach am Taunus",
        ],
    ),
    "Odenwaldkreis": (1, "06062", ["Erbach", "Michelstadt", "Bad König", "Höchst im Odenwald"]),
    "Offenbach": (
        4,
        "06103",
        ["Dreieich", "Langen (Hessen)", "Neu-Isenburg", "Rodgau", "Dietzenbach", "Mühlheim am Main", "Seligenstadt"],
    ),
    "Rheingau-Taunus-Kreis": (
        1.5,
        "06124",
        ["Bad Schwalbach", "Taunusstein", "Idstein", "Eltville am Rhein", "Geisenheim"],
    ),
    "Wetteraukreis": (
        3,
        "06031",
        ["Friedberg (Hessen)", "Bad Nauheim", "Bad Vilbel", "Büdingen", "Butzbach", "Karben", "Nidda"],
    ),
    "Gießen": (3.5, "0641", ["Gießen", "Lich", "Pohlheim", "Hungen", "Grünberg", "Linden"]),
    "Lahn-Dill-Kreis": (2.5, "06441", ["Wetzlar", "Dillenburg", "Herborn", "Haiger", "Solms", "Aßlar"]),
    "Limburg-Weilburg": (1.5, "06431", ["Limburg an der Lahn", "Weilburg", "Bad Camberg", "Hadamar"]),
    "Marburg-Biedenkopf": (2.5, "06421", ["Marburg", "Biedenkopf", "Stadtallendorf", "Kirchhain", "Gladenbach"]),
    "Vogelsbergkreis": (1, "06641", ["Lauterbach (Hessen)", "Alsfeld", "Schotten", "Homberg (Ohm)"]),
    "Kassel (Stadt)": (4.5, "0561", ["Kassel"]),
    "Fulda": (2.5, "0661", ["Fulda", "Hünfeld", "Petersberg", "Künzell", "Eichenzell"]),
    "Hersfeld-Rotenburg": (1, "06621", ["Bad Hersfeld", "Rotenburg an der Fulda", "Bebra", "Heringen (Werra)"]),
    "Kassel (Landkreis)": (2, "0561", ["Baunatal", "Vellmar", "Hofgeismar", "Wolfhagen", "Kaufungen", "Lohfelden"]),
    "Schwalm-Eder-Kreis": (
        1.5,
        "05681",
        ["Homberg (Efze)", "Schwalmstadt", "Fritzlar", "Melsungen", "Borken (Hessen)"],
    ),
    "Waldeck-Frankenberg": (1.5, "05631", ["Korbach", "Bad Arolsen", "Frankenberg (Eder)", "Bad Wildungen"]),
    "Werra-Meißner-Kreis": (1, "05651", ["Eschwege", "Witzenhausen", "Hessisch Lichtenau", "Sontra"]),
    "außerhalb Hessens": (0.4, "06131", ["Mainz", "Mannheim", "Aschaffenburg", "Göttingen", "Siegen"]),
}

# A region that did not exist yet on a consultation's date → the region it belonged to then.
PREDECESSOR_REGIONS = {"Hanau": "Main-Kinzig-Kreis"}

# Adjective stems; the ending follows the noun's gender (…er Verein, …e Gemeinde, …es Zentrum).
ORIGIN_STEMS = [
    "Deutsch-Türkisch", "Türkisch", "Kurdisch", "Afghanisch", "Syrisch", "Eritreisch", "Äthiopisch",
    "Somalisch", "Irakisch", "Iranisch", "Arabisch", "Marokkanisch", "Tunesisch", "Ghanaisch",
    "Nigerianisch", "Kamerunisch", "Kongolesisch", "Togoisch", "Afrikanisch", "Polnisch", "Ukrainisch",
    "Russischsprachig", "Deutsch-Russisch", "Rumänisch", "Bulgarisch", "Kroatisch", "Bosnisch",
    "Albanisch", "Griechisch", "Italienisch", "Spanisch", "Portugiesisch", "Lateinamerikanisch",
    "Vietnamesisch", "Tamilisch", "Pakistanisch", "Jesidisch", "Aramäisch", "Philippinisch",
    "Koreanisch", "Chinesisch", "Deutsch-Afghanisch", "Deutsch-Syrisch", "Deutsch-Marokkanisch",
]  # fmt: skip
ENDINGS = {"m": "er", "f": "e", "n": "es"}
ORIGIN_NOUNS = [
    ("Kulturverein", "m", 6), ("Frauenverein", "m", 3), ("Elternverein", "m", 2), ("Jugendverein", "m", 2),
    ("Sport- und Kulturverein", "m", 2), ("Bildungsverein", "m", 2), ("Gemeinde", "f", 3),
    ("Frauengruppe", "f", 1), ("Initiative", "f", 1), ("Gesellschaft", "f", 1), ("Kulturzentrum", "n", 2),
    ("Begegnungszentrum", "n", 1), ("Netzwerk", "n", 1), ("Forum", "n", 1),
]  # fmt: skip
GENERIC_MO_NAMES = [
    "Interkultureller Verein {city}", "Brücke der Kulturen {city}", "Internationaler Frauentreff {city}",
    "Haus der Kulturen {city}", "Migrantinnen-Netzwerk {city}", "Integrationsverein {city}",
    "Verein für interkulturelle Bildung {city}", "Afrika-Forum {city}", "Islamische Gemeinde {city}",
    "Verein der Eltern mit Migrationsgeschichte {city}", "Neue Nachbarn {city}", "Café International {city}",
    "Zusammen in {city}", "Treffpunkt Vielfalt {city}",
]  # fmt: skip

# (host type, name template, weight); {city}: municipality, {in_region}: "im Wetteraukreis", "in Kassel"
GUIDE_PROJECT_NAMES = [
    ("municipality", "Integrationslots*innen Stadt {city}", 4),
    ("municipality", "Lots*innen-Projekt der Stadt {city}", 2),
    ("municipality", "WIR-Lots*innen {in_region} (Fachdienst Integration)", 2),
    ("volunteer_agency", "WIR-Lots*innen {in_region} (Freiwilligenagentur {city})", 4),
    ("volunteer_agency", "Ehrenamtliche Integrationslots*innen – Freiwilligenzentrum {city}", 2),
    ("welfare", "Sprach- und Kulturlots*innen der Caritas {city}", 2),
    ("welfare", "Integrationslots*innen des DRK-Kreisverbands {city}", 2),
    ("welfare", "Gesundheitslots*innen – Diakonisches Werk {city}", 1),
    ("welfare", "Stadtteillots*innen {city} (AWO)", 1),
    ("association", "Bildungslots*innen {city}", 2),
    ("association", "Kulturmittler*innen {city}", 1),
    ("other", "Elternlots*innen an Schulen in {city} (Volkshochschule)", 1),
    ("other", "Lots*innen im Mehrgenerationenhaus {city}", 1),
]

FIRST_NAMES = [
    "Anna", "Maria", "Sabine", "Claudia", "Petra", "Laura", "Lena", "Michael", "Stefan", "Andreas",
    "Markus", "Peter", "Jan", "Tobias", "Ayşe", "Elif", "Zeynep", "Mehmet", "Mustafa", "Emre",
    "Fatima", "Amina", "Mariam", "Ahmad", "Omar", "Khaled", "Yusuf", "Hamid", "Farida", "Mahnaz",
    "Senait", "Yonas", "Tesfaye", "Abeba", "Olena", "Iryna", "Oksana", "Dmytro", "Agnieszka", "Piotr",
    "Katarzyna", "Ioana", "Elena", "Dragan", "Ana", "Giuseppe", "Chiara", "Kwame", "Ama", "Chinedu",
    "Ngozi", "Thi Lan", "Minh", "Lucía", "Carlos", "Dilan", "Rojda", "Ravi", "Priya", "Nour",
]  # fmt: skip
LAST_NAMES = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Meyer", "Weber", "Wagner", "Becker", "Schulz",
    "Koch", "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Yılmaz", "Kaya", "Demir", "Şahin",
    "Çelik", "Öztürk", "Aydın", "Arslan", "Al-Hassan", "Haddad", "Khalil", "Nasser", "Ahmadi",
    "Hosseini", "Karimi", "Sultani", "Tesfamariam", "Gebremedhin", "Haile", "Bekele", "Mohamed",
    "Kowalski", "Nowak", "Wiśniewska", "Kovalenko", "Shevchenko", "Bondarenko", "Popescu", "Ionescu",
    "Petrović", "Hodžić", "Russo", "Esposito", "Mensah", "Owusu", "Okonkwo", "Nguyen", "Tran",
    "García", "Rodríguez", "Doğan", "Zaza", "Sivakumar", "Malik", "Qureshi",
]  # fmt: skip
MO_FUNCTIONS = ["Vorsitz", "Vorstand", "Kassenführung", "Schriftführung", "Projektleitung", "Ehrenamtskoordination"]
GUIDE_FUNCTIONS = ["Projektkoordination", "Koordination Lots*innen", "Fachdienst Integration", "Leitung Freiwilligenagentur", "Ehrenamtskoordination"]  # fmt: skip

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
MO_ORGANISATION_SHARE = 0.6
CONTACT_RATE = 0.5
FOLLOW_UP_RATE = 0.3
FOLLOW_UP_TASKS = [
    "Nachfassen, ob die Unterlagen eingereicht wurden",
    "Stand der Satzungsänderung erfragen",
    "Rückmeldung zum Förderantrag einholen",
    "Termin für das nächste Gespräch vereinbaren",
    "Materialien zuschicken",
    "Kontakt zur Kommune herstellen",
]


# --- Helpers ---------------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    for old, new in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss"), ("ı", "i")):  # fmt: skip
        text = text.replace(old, new)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _short_city(municipality: str) -> str:
    """'Friedberg (Hessen)' → 'Friedberg' for use inside names."""
    return municipality.split(" (")[0]


def _in_region(region: Region, city: str) -> str:
    name = region.name
    if region.kind != Region.Kind.DISTRICT:
        return f"in {city}"
    if name.endswith("kreis") or name.endswith("-Kreis"):
        return f"im {name}"
    if name.endswith(" (Landkreis)"):
        return f"im Landkreis {_short_city(name)}"
    if name in ("Offenbach", "Bergstraße", "Groß-Gerau"):
        return f"im Kreis {name}"
    return f"im Landkreis {name}"


class _Picker:
    """Weighted choice with precomputed cumulative weights (fast for many draws)."""

    def __init__(self, rng, items, weights):
        self.rng, self.items = rng, list(items)
        self.cum, total = [], 0.0
        for weight in weights:
            total += weight
            self.cum.append(total)

    def __call__(self):
        return self.items[bisect_left(self.cum, self.rng.random() * self.cum[-1])]

    def many(self, k):
        return self.rng.choices(self.items, cum_weights=self.cum, k=k)


@contextmanager
def _explicit_timestamps(*models):
    """Let bulk inserts keep the generated created_at/updated_at instead of "now"."""
    fields = [f for m in models for f in m._meta.concrete_fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]  # fmt: skip
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


# --- Generator -------------------------------------------------------------------------------------


class DemoDataGenerator:
    def __init__(self, *, units, staff, seed, log, today=None, with_history=True):
        self.rng = random.Random(seed)
        self.units = units
        self.staff = staff
        self.log = log
        self.today = today or timezone.localdate()
        self.start = datetime.date(self.today.year - 1, 1, 1)
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()
        # History rows need the primary keys bulk_create returns (PostgreSQL, SQLite ≥ 3.35).
        self.with_history = with_history and connection.features.can_return_rows_from_bulk_insert
        self.used_names = set()

    # -- small helpers --

    def _aware(self, day, earliest_hour=8, latest_hour=18):
        moment = datetime.datetime.combine(day, datetime.time(self.rng.randint(earliest_hour, latest_hour - 1), self.rng.randrange(0, 60, 5)))  # fmt: skip
        return min(timezone.make_aware(moment, self.tz), self.now)

    def _phone(self, region_name):
        area = REGION_DATA.get(region_name, (0, "0611", []))[1]
        return f"{area} {self.rng.randint(100000, 9999999)}"

    @staticmethod
    def _domain(name):
        """A reserved (RFC 2606) domain from the name, cut at a word boundary: no real addresses."""
        words, length = [], 0
        for word in slugify(_ascii(name.replace("*", ""))).split("-"):
            if words and length + len(word) + 1 > 45:
                break
            words.append(word)
            length += len(word) + 1
        return "-".join(words) + ".example"

    def _unique(self, name):
        if name not in self.used_names:
            self.used_names.add(name)
            return name
        return None

    # -- organisations --

    def _migrant_org_name(self, city):
        rng = self.rng
        if rng.random() < 0.2:
            return rng.choice(GENERIC_MO_NAMES).format(city=city)
        noun, gender, _ = rng.choices(ORIGIN_NOUNS, weights=[n[2] for n in ORIGIN_NOUNS])[0]
        return f"{rng.choice(ORIGIN_STEMS)}{ENDINGS[gender]} {noun} {city}"

    def _build_migrant_org(self, region, municipality):
        rng = self.rng
        legal_form = rng.choices(["ev", "initiative", "ggmbh", "other"], weights=[72, 22, 3, 3])[0]
        city = _short_city(municipality)
        for _attempt in range(30):
            base = self._migrant_org_name(city)
            name = self._unique(base + (" e.V." if legal_form == "ev" else " gGmbH" if legal_form == "ggmbh" else ""))
            if name:
                break
        else:
            name = self._unique_fallback(base)
        charitable = {"ev": [70, 8, 10, 12], "ggmbh": [95, 0, 5, 0]}.get(legal_form, [5, 60, 5, 30])
        return Organisation(
            name=name,
            kind=Organisation.Kind.MIGRANT_ORGANISATION,
            legal_form=legal_form,
            charitable_status=rng.choices(["yes", "no", "applied", "unknown"], weights=charitable)[0],
            founding_year=rng.randint(1965, self.today.year) if rng.random() < 0.85 else None,
            member_count=int(rng.lognormvariate(3.4, 0.8)) + 7 if rng.random() < 0.8 else None,
        )

    def _build_guide_project(self, region, municipality):
        rng = self.rng
        city = _short_city(municipality)
        for _attempt in range(30):
            host_type, template, _ = rng.choices(GUIDE_PROJECT_NAMES, weights=[t[2] for t in GUIDE_PROJECT_NAMES])[0]
            base = template.format(city=city, in_region=_in_region(region, city))
            name = self._unique(base)
            if name:
                break
        else:
            name = self._unique_fallback(base)
        legal_form = {
            "municipality": "public",
            "volunteer_agency": rng.choice(["ev", "ev", "public"]),
            "welfare": rng.choice(["ev", "ev", "ggmbh"]),
            "association": "ev",
            "other": rng.choice(["public", "other"]),
        }[host_type]
        return Organisation(
            name=name,
            kind=Organisation.Kind.GUIDE_PROJECT,
            host_type=host_type,
            legal_form=legal_form,
            charitable_status="unknown"
            if legal_form == "public"
            else rng.choices(["yes", "unknown"], weights=[85, 15])[0],  # fmt: skip
            founding_year=rng.randint(2012, self.today.year) if rng.random() < 0.7 else None,
            member_count=rng.randint(4, 60) if rng.random() < 0.85 else None,
        )

    def _unique_fallback(self, base):
        number = 2
        while f"{base} ({number})" in self.used_names:
            number += 1
        self.used_names.add(f"{base} ({number})")
        return f"{base} ({number})"

    def build_organisations(self, count):
        rng = self.rng
        regions = list(Region.objects.valid_on(self.today))
        region_picker = _Picker(rng, regions, [REGION_DATA.get(r.name, (2,))[0] for r in regions])
        n_mo = count if count < 2 else max(1, round(count * MO_ORGANISATION_SHARE))
        organisations, unit_codes = [], []
        for index in range(count):
            region = region_picker()
            municipality = rng.choice(REGION_DATA.get(region.name, (0, "", [_short_city(region.name)]))[2])
            is_mo = index < n_mo
            org = (self._build_migrant_org if is_mo else self._build_guide_project)(region, municipality)
            org.region = region
            org.municipality = municipality
            domain = self._domain(org.name)
            if rng.random() < 0.8:
                org.email = f"{rng.choice(['info', 'kontakt', 'vorstand', 'post'])}@{domain}"
            if rng.random() < 0.7:
                org.phone = self._phone(region.name)
            if rng.random() < 0.45:
                org.website = f"https://www.{domain}"
            org.may_be_named = rng.random() < 0.6
            organisations.append(org)
            unit_codes.append("mo" if is_mo else "lots")
        return organisations, unit_codes

    # -- consultations --

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
        return _Picker(self.rng, days, weights)

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

    def build_consultations(self, count, organisations, unit_codes):
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
            code: _Picker(rng, orgs, [min(rng.paretovariate(1.3), 40.0) for _ in orgs])
            for code, orgs in orgs_by_unit.items()
        }
        topics = list(Topic.objects.active().select_related("unit"))
        joint_topics = [t for t in topics if t.unit_id is None]
        topic_pickers = {}
        for code in codes:
            own = [t for t in topics if t.unit_id == self.units[code].pk] or joint_topics
            topic_pickers[code] = _Picker(rng, own, [rng.uniform(0.5, 3.0) for _ in own])
        advisor_pickers = {}
        for code in codes:
            people = self.staff[code][ADVISOR] + self.staff[code][COORDINATOR]
            weights = [3 if i == 0 else 2 for i in range(len(self.staff[code][ADVISOR]))] + [1] * len(self.staff[code][COORDINATOR])  # fmt: skip
            advisor_pickers[code] = _Picker(rng, people, weights)

        n_mo = round(count * MO_CONSULTATION_SHARE) if len(codes) == 2 else count
        unit_plan = ["mo"] * n_mo + ["lots"] * (count - n_mo) if len(codes) == 2 else codes * count
        n_shared = round(count * SHARE_RATE) if len(codes) == 2 else 0
        shared = set(rng.sample(range(count), n_shared))
        days = self._day_picker().many(count)
        days.sort()
        rng.shuffle(unit_plan)

        region_by_name = {r.name: r for r in Region.objects.filter(name__in=PREDECESSOR_REGIONS.values())}
        formats = _Picker(rng, list(FORMAT_WEIGHTS), list(FORMAT_WEIGHTS.values()))
        initiators = _Picker(rng, list(INITIATOR_WEIGHTS), list(INITIATOR_WEIGHTS.values()))
        durations = _Picker(rng, list(DURATION_WEIGHTS), list(DURATION_WEIGHTS.values()))
        participant_counts = _Picker(rng, list(PARTICIPANT_WEIGHTS), list(PARTICIPANT_WEIGHTS.values()))
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
            created_at = self._aware(min(day + datetime.timedelta(days=rng.choice((0, 0, 0, 1, 2, 3))), self.today), 9, 19)  # fmt: skip
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
            consultation.demo_follow_up_on = follow_up
            consultations.append(consultation)
            topic_lists.append(chosen)
            advisor_lists.append(advisors)
        return consultations, topic_lists, advisor_lists

    # -- contacts --

    def build_contacts(self, organisations, unit_codes):
        rng = self.rng
        contacts = []
        for org, code in zip(organisations, unit_codes, strict=True):
            if rng.random() >= CONTACT_RATE:
                continue
            functions = MO_FUNCTIONS if code == "mo" else GUIDE_FUNCTIONS
            domain = org.website.removeprefix("https://www.") if org.website else None
            for _ in range(rng.choices((1, 2), weights=(75, 25))[0]):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                consent = org.created_at.astimezone(self.tz).date() + datetime.timedelta(days=rng.randint(0, 30))
                contact = ContactPerson(
                    organisation=org,
                    name=f"{first} {last}",
                    function=rng.choice(functions),
                    email=f"{_ascii(first).lower().replace(' ', '')}.{_ascii(last).lower().replace(' ', '')}@{domain}"
                    if domain and rng.random() < 0.7
                    else "",  # fmt: skip
                    phone=self._phone(org.region.name) if rng.random() < 0.6 else "",
                    consent_date=min(consent, self.today),
                )
                contact._history_user = org.created_by
                contact._history_date = max(org.created_at, self._aware(contact.consent_date))
                contacts.append(contact)
        return contacts

    # -- writing --

    def _insert(self, model, objs, label=None):
        """bulk_create plus the simple-history "created" rows; returns {pk: history_id}."""
        if label:
            self.log(label)
        model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        if not self.with_history:
            return {}
        # Equivalent to simple_history.utils.bulk_create_with_history, but keeps the
        # historical rows (with their ids) so the m2m snapshots can point at them.
        history = model.history.bulk_history_create(objs, batch_size=BATCH_SIZE)
        return {row.id: row.history_id for row in history}

    @staticmethod
    def _raw_insert(model, attnames, rows):
        """Plain parameterised INSERTs via executemany: for the narrow m2m tables this is
        several times faster than bulk_create, which builds a model instance per row."""
        qn = connection.ops.quote_name
        columns = ", ".join(qn(model._meta.get_field(name).column) for name in attnames)
        # Identifiers come from model metadata (quoted); all values are bound parameters.
        sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(attnames))})"  # noqa: S608
        with connection.cursor() as cursor:
            for offset in range(0, len(rows), BATCH_SIZE * 10):
                cursor.executemany(sql, rows[offset : offset + BATCH_SIZE * 10])

    def _insert_m2m(self, field, pairs, history_ids, history_model_label):
        """Insert (owner id, target id) pairs into an m2m through table plus their history snapshot rows."""
        through = field.remote_field.through
        owner, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        self._raw_insert(through, [owner, target], pairs)
        if not self.with_history or not pairs:
            return
        # Every owner is new (data is only generated into an empty database), so the id range
        # selects exactly the rows just inserted, now with their primary keys.
        owner_ids = [pair[0] for pair in pairs]
        rows = through.objects.filter(**{f"{owner}__gte": min(owner_ids), f"{owner}__lte": max(owner_ids)}).values_list(
            "id", owner, target
        )
        m2m_history = apps.get_model(history_model_label)
        self._raw_insert(
            m2m_history,
            ["id", owner, target, "history"],
            [
                (pk, owner_id, target_id, history_ids[owner_id])
                for pk, owner_id, target_id in rows.iterator(chunk_size=BATCH_SIZE * 10)
            ],
        )

    def run(self, n_organisations, n_consultations):
        started = time.monotonic()
        rng = self.rng
        organisations, unit_codes = self.build_organisations(n_organisations)

        # Plan consultations first: organisations are "created" shortly before their first one.
        consultations, topic_lists, advisor_lists = self.build_consultations(n_consultations, organisations, unit_codes)
        first_day, partners = {}, defaultdict(set)
        for consultation in consultations:
            key = id(consultation.organisation)
            first_day.setdefault(key, consultation.date)
            if consultation.shared_with is not None:
                partners[key].add(consultation.shared_with.code)
        for org, code in zip(organisations, unit_codes, strict=True):
            if id(org) in first_day:
                created = first_day[id(org)] - datetime.timedelta(days=rng.randint(0, 90))
            else:
                created = self.start + datetime.timedelta(days=rng.randint(0, (self.today - self.start).days))
            org.created_at = org.updated_at = self._aware(created)
            org.created_by = self.staff[code][ADVISOR][0]
            org._history_user = org.created_by
            org._history_date = org.created_at
        order = sorted(range(len(organisations)), key=lambda i: organisations[i].created_at)
        organisations = [organisations[i] for i in order]
        unit_codes = [unit_codes[i] for i in order]

        with _explicit_timestamps(Organisation, Consultation):
            org_history = self._insert(Organisation, organisations, f"Lege {len(organisations)} Organisationen an …")
            links = [
                (org.pk, self.units[c].pk)
                for org, code in zip(organisations, unit_codes, strict=True)
                for c in UNIT_CODES
                if c == code or c in partners.get(id(org), ())
            ]
            self._insert_m2m(Organisation.units.field, links, org_history, "organisations.HistoricalOrganisation_units")

            contacts = self.build_contacts(organisations, unit_codes)
            self._insert(ContactPerson, contacts, f"Lege {len(contacts)} Ansprechpersonen an …")

            # bulk_create fills organisation_id from the (now saved) organisation objects.
            n_shared = sum(1 for c in consultations if c.shared_with_id)
            history = self._insert(
                Consultation, consultations, f"Lege {len(consultations)} Beratungen an (davon {n_shared} gemeinsam) …"
            )
            topic_pairs = [(c.pk, t.pk) for c, chosen in zip(consultations, topic_lists, strict=True) for t in chosen]
            self._insert_m2m(Consultation.topics.field, topic_pairs, history, "casework.HistoricalConsultation_topics")
            advisor_pairs = [
                (c.pk, u.pk) for c, people in zip(consultations, advisor_lists, strict=True) for u in people
            ]
            self._insert_m2m(
                Consultation.advisors.field, advisor_pairs, history, "casework.HistoricalConsultation_advisors"
            )

        self.log(f"Vergebe Freigaben für {n_shared} gemeinsame Beratungen …")
        self._grant_shares([c for c in consultations if c.shared_with_id])
        follow_ups = self.build_follow_ups(consultations, advisor_lists)
        self.log(f"Lege {len(follow_ups)} Wiedervorlagen an …")
        FollowUp.objects.bulk_create(follow_ups, batch_size=BATCH_SIZE)
        if not self.with_history:
            self.log(
                "Hinweis: Diese Datenbank liefert keine IDs aus Masseneinfügungen – Änderungshistorie übersprungen."
            )
        return {
            "organisations": len(organisations),
            "contacts": len(contacts),
            "consultations": len(consultations),
            "shared": n_shared,
            "seconds": time.monotonic() - started,
        }

    def build_follow_ups(self, consultations, advisor_lists):
        """Follow-ups planned with the consultations; most of those already due are done."""
        now = timezone.now()
        follow_ups = []
        for consultation, advisors in zip(consultations, advisor_lists, strict=True):
            due_on = consultation.demo_follow_up_on
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
                    done_at=min(self._aware(due_on), now) if done else None,
                    done_by=advisors[0] if done else None,
                )
            )
        return follow_ups

    def _grant_shares(self, shared):
        """Mirror casework.services._sync_share_grants for every shared consultation, in bulk."""
        permissions = {
            p.codename: p
            for p in Permission.objects.filter(content_type__app_label="casework", content_type__model="consultation")
        }
        plan = defaultdict(list)  # partner unit id → [(group, permission)]
        for unit in self.units.values():
            for role, unit_codenames in ROLE_UNIT_PERMISSIONS.items():
                group = role_group(unit, role)
                codenames = {SHARED_CONSULTATION_PERMISSIONS[_UNIT_TO_ACTION[c]] for c in unit_codenames if c in _UNIT_TO_ACTION}  # fmt: skip
                plan[unit.pk] += [(group, permissions[codename]) for codename in sorted(codenames)]
        ConsultationGroupObjectPermission.objects.bulk_create(
            [
                ConsultationGroupObjectPermission(group=group, permission=permission, content_object=consultation)
                for consultation in shared
                for group, permission in plan[consultation.shared_with_id]
            ],
            batch_size=BATCH_SIZE,
        )
