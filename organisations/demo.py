"""Demo organisations of both units and their contact persons (called by seed_demo).

The organisations are planned first; their "created" dates follow the consultations planned for them
(shortly before the first one), so they are written only after the consultation plan exists.
"""

import datetime

from django.utils.text import slugify

from casework.management.seeding import Picker, ascii_text, explicit_timestamps
from casework.roles import ADVISOR
from organisations.models import ContactPerson, Organisation, Region

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

MO_ORGANISATION_SHARE = 0.6
CONTACT_RATE = 0.5


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


class OrganisationDemo:
    """Plans and writes the demo organisations; `ctx` is the seed_demo run's DemoContext."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = ctx.rng
        self.today = ctx.today
        self.used_names = set()

    def _phone(self, region_name):
        area = REGION_DATA.get(region_name, (0, "0611", []))[1]
        return f"{area} {self.rng.randint(100000, 9999999)}"

    @staticmethod
    def _domain(name):
        """A reserved (RFC 2606) domain from the name, cut at a word boundary: no real addresses."""
        words, length = [], 0
        for word in slugify(ascii_text(name.replace("*", ""))).split("-"):
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

    def plan(self, count):
        """Organisations in memory (not saved yet) and the code of the unit each belongs to."""
        rng = self.rng
        regions = list(Region.objects.valid_on(self.today))
        region_picker = Picker(rng, regions, [REGION_DATA.get(r.name, (2,))[0] for r in regions])
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

    def write(self, organisations, unit_codes, consultations):
        """Date the organisations by the consultation plan, save them with their units and contact persons.

        Returns the organisations in creation order and the number of contact persons.
        """
        ctx, rng = self.ctx, self.rng
        first_day = {}
        for consultation in consultations:
            first_day.setdefault(id(consultation.organisation), consultation.date)
        for org, code in zip(organisations, unit_codes, strict=True):
            if id(org) in first_day:
                created = first_day[id(org)] - datetime.timedelta(days=rng.randint(0, 90))
            else:
                created = ctx.start + datetime.timedelta(days=rng.randint(0, (ctx.today - ctx.start).days))
            org.created_at = org.updated_at = ctx.aware(created)
            org.created_by = ctx.staff[code][ADVISOR][0]
            org._history_user = org.created_by
            org._history_date = org.created_at
        order = sorted(range(len(organisations)), key=lambda i: organisations[i].created_at)
        organisations = [organisations[i] for i in order]
        unit_codes = [unit_codes[i] for i in order]

        with explicit_timestamps(Organisation):
            org_history = ctx.insert(Organisation, organisations, f"Lege {len(organisations)} Organisationen an …")
            # An organisation belongs to its unit; a partner sees it while a consultation is shared.
            links = [(org.pk, ctx.units[code].pk) for org, code in zip(organisations, unit_codes, strict=True)]
            ctx.insert_m2m(Organisation.units.field, links, org_history, "organisations.HistoricalOrganisation_units")
            contacts = self._plan_contacts(organisations, unit_codes)
            ctx.insert(ContactPerson, contacts, f"Lege {len(contacts)} Ansprechpersonen an …")
        return organisations, len(contacts)

    def _plan_contacts(self, organisations, unit_codes):
        rng = self.rng
        contacts = []
        for org, code in zip(organisations, unit_codes, strict=True):
            if rng.random() >= CONTACT_RATE:
                continue
            functions = MO_FUNCTIONS if code == "mo" else GUIDE_FUNCTIONS
            domain = org.website.removeprefix("https://www.") if org.website else None
            for _ in range(rng.choices((1, 2), weights=(75, 25))[0]):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                consent = org.created_at.astimezone(self.ctx.tz).date() + datetime.timedelta(days=rng.randint(0, 30))
                contact = ContactPerson(
                    organisation=org,
                    name=f"{first} {last}",
                    function=rng.choice(functions),
                    email=f"{ascii_text(first).lower().replace(' ', '')}.{ascii_text(last).lower().replace(' ', '')}@{domain}"
                    if domain and rng.random() < 0.7
                    else "",  # fmt: skip
                    phone=self._phone(org.region.name) if rng.random() < 0.6 else "",
                    consent_date=min(consent, self.today),
                )
                contact._history_user = org.created_by
                contact._history_date = max(org.created_at, self.ctx.aware(contact.consent_date))
                contacts.append(contact)
        return contacts

    # -- writing --
