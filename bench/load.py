"""Load test: a working day's mix of people against gunicorn and the report worker on PostgreSQL.

    make bench-load        (= .venv/bin/python bench/load.py; locust from bench/requirements.txt)
    .venv/bin/python bench/load.py [--quick] [--steps 1,10,20,40,60,80,100,120] [--step-seconds 45]

Starts gunicorn (3 workers, production settings: DEBUG off, a generated SECRET_KEY, static files
collected) on a free loopback port and the report worker (`manage.py worker`, or `db_worker` where that
does not exist), signs in simulated people through the login form with the demo accounts (password
"demo"; several people share an account) and raises their number step by step: 1 person (the baseline, acting back to back), then 10, 20, 40, 60, … until the p95
passes 1 s after the goal step (60) or the cap or the time budget is reached. Prints per step: people,
requests, errors, median, p95, and the goals "0 errors at 60" and "p95(60) ≤ 3 × p95(1)" and the knee.

Traffic goes to 127.0.0.1 only; the run is bounded in time (--budget-minutes, default 10), people
(--max-users) and requests (--max-requests). What the run creates (consultations, reports, calendar
tokens) is deleted afterwards (--keep leaves it). Database: DATABASE_URL, default the seeded benchmark
database postgres://postgres@127.0.0.1:5432/vielfalt_bench (see bench/README.md). Always exits 0
unless the setup fails: it is a report.
"""

# locust patches the standard library for gevent on import: it must come before everything else.
import locust  # noqa: I001
from locust import User, task
from locust.clients import HttpSession
from locust.env import Environment
from locust.exception import StopUser

import argparse
import collections
import html
import math
import os
import random
import re
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import gevent

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PYTHON = sys.executable
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/vielfalt_bench"

GOAL_USERS = 60  # three times the staff of both Fachstellen
GOAL_P95_FACTOR = 3  # p95 at GOAL_USERS at most this many times the baseline's
KNEE_MS = 1000
THINK_SECONDS = (2, 6)  # "each acting every few seconds"
DEMO_PASSWORD = "demo"  # noqa: S105 - the demo accounts' published password (casework/accounts/demo.py)
ADVISOR_ACCOUNTS = ["beratung-mo", "beratung-lots"]
COORDINATOR_ACCOUNTS = ["koordination-mo", "koordination-lots"]
COORDINATOR_SHARE = 4  # every 4th person is a coordinator: a few advisors per coordinator in each Fachstelle
LOGIN_NAMES = ("login: form", "login: sign in (POST)")
MARKER = "[Lasttest]"  # in what the run writes, so a person reading the data sees where it came from

SEARCH_WORDS = ["Satzung", "verein", "Förderantrag", "Gemeinnützigkeit", "yilmaz", "Gießen Satzung", "Datenschutz"]
ORGANISATION_WORDS = ["verein", "kultur", "initiative", "frankfurt", "kassel", "lots", "ver"]
FORMATS = ["on_site", "office", "phone", "video", "written"]


# --- Command line ------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a one-minute smoke run: 1 and 10 people, short steps")
    parser.add_argument("--steps", help="people per step, comma-separated (default 1,10,20,40,60,80,100,120)")
    parser.add_argument("--step-seconds", type=float, help="measured seconds per step (default 45; baseline 60)")
    parser.add_argument("--max-users", type=int, default=150, help="never more simulated people (default 150)")
    parser.add_argument("--budget-minutes", type=float, default=10, help="stop stepping after this (default 10)")
    parser.add_argument("--max-requests", type=int, default=60_000, help="stop after this many requests")
    parser.add_argument("--spawn-rate", type=float, default=4, help="new people per second (default 4)")
    parser.add_argument("--seed", type=int, default=14, help="random seed of the mix (default 14)")
    parser.add_argument("--keep", action="store_true", help="keep what the run created in the database")
    args = parser.parse_args()
    if args.quick:
        args.steps = args.steps or "1,10"
        args.step_seconds = args.step_seconds or 15
        args.baseline_seconds = args.step_seconds
    else:
        args.steps = args.steps or "1,10,20,40,60,80,100,120"
        args.baseline_seconds = args.step_seconds or 60
        args.step_seconds = args.step_seconds or 45
    args.steps = [n for n in (int(s) for s in args.steps.split(",")) if 0 < n <= args.max_users]
    if not args.steps:
        parser.error("no step within --max-users")
    return args


# --- Servers -----------------------------------------------------------------------------------


def server_environment():
    """Production settings for gunicorn and the worker (and this process's own look at the database)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=os.environ.get("DATABASE_URL", DEFAULT_DATABASE),
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        # The simulated people speak plain HTTP on loopback; they send X-Forwarded-Proto as the proxy does.
        SECURE_SSL_REDIRECT="false",
        # The demo accounts have no second factor: under the production default ("required") every page
        # would be the enrolment page (the second step comes once per sign-in, not with every page).
        TWO_FACTOR_POLICY="optional",
    )
    return env


def worker_command():
    """The report worker as deployed: `manage.py worker` (db_worker with a heartbeat) where it exists."""
    has_heartbeat = (ROOT / "reports" / "management" / "commands" / "worker.py").exists()
    return [PYTHON, "manage.py", "worker" if has_heartbeat else "db_worker"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Servers:
    env: dict
    logs: Path
    port: int = 0
    processes: dict = field(default_factory=dict)
    log_files: list = field(default_factory=list)

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.port = free_port()
        web = [
            str(Path(PYTHON).with_name("gunicorn")),
            "config.wsgi",
            "--workers=3",
            f"--bind=127.0.0.1:{self.port}",
            "--log-level=warning",
        ]
        self.processes["gunicorn"] = self._spawn("gunicorn", web)
        self.processes["worker"] = self._spawn("worker", worker_command())
        self._wait_until_ready()

    def _spawn(self, name, command):
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop()
        self.log_files.append(log)
        return subprocess.Popen(  # noqa: S603 - our own fixed commands
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def _wait_until_ready(self, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    self.fail(f"{name} exited with {process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/anmelden/", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        self.fail(f"gunicorn did not answer on {self.base_url} within {seconds} s")

    def fail(self, message):
        self.stop()
        for log in sorted(self.logs.glob("*.log")):
            print(f"--- {log.name} (last lines)\n{log.read_text(errors='replace')[-3000:]}", file=sys.stderr)
        sys.exit(f"Setup failed: {message}")

    def check_alive(self):
        return [name for name, process in self.processes.items() if process.poll() is not None]

    def stop(self):
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in self.log_files:
            log.close()


def collect_static(env):
    """The manifest static storage of DEBUG=false needs collected files, as a deployment has them."""
    subprocess.run(  # noqa: S603 - a fixed command
        [PYTHON, "manage.py", "collectstatic", "--no-input", "--verbosity=0"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,  # its start-up log lines; errors still reach stderr
    )


# --- The database: before and after ------------------------------------------------------------


@dataclass
class Before:
    """What existed before the run, so that what it created can be told apart and removed."""

    consultation_id: int
    report_id: int
    consultations: int
    vendor: str
    started_at: object  # datetime: the run's queue rows are the ones enqueued since
    feed_tokens: dict  # username → clear token of the feed address made for this run


def prepare_database(env):
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DEBUG", "SECRET_KEY")})
    os.environ.update({k: env[k] for k in ("ALLOWED_HOSTS", "SECURE_SSL_REDIRECT")})
    # This process's own log lines (axes, locust's ramp-ups) would interleave with the report on stdout;
    # the servers keep the production level and log into files.
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    from casework.follow_ups import services as follow_ups
    from casework.models import Consultation
    from reports.models import Report

    if connection.vendor != "postgresql":
        sys.exit(f"bench/load.py runs on PostgreSQL (DATABASE_URL), not {connection.vendor}.")
    call_command("migrate", interactive=False, verbosity=0)  # as a deployment does before starting
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=ADVISOR_ACCOUNTS + COORDINATOR_ACCOUNTS)
    }
    unusable = [name for name in ADVISOR_ACCOUNTS + COORDINATOR_ACCOUNTS if name not in users]
    unusable += [name for name, user in users.items() if not user.check_password(DEMO_PASSWORD)]
    if unusable:
        sys.exit(
            f"Demo accounts missing or without the demo password: {', '.join(unusable)}. Seed with bench/pages.py."
        )
    consultations = Consultation.objects.count()
    if consultations < 1000:
        sys.exit(f"Only {consultations} consultations: seed the benchmark database first (bench/pages.py).")
    # One feed address per advisor account, as each person's calendar app has one; the web form would
    # replace it whenever another simulated person of the same account asked for one.
    tokens = {name: follow_ups.calendar_token_create(user=users[name]) for name in ADVISOR_ACCOUNTS}
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    before = Before(
        consultation_id=Consultation.objects.aggregate(m=Max("pk"))["m"] or 0,
        report_id=Report.objects.aggregate(m=Max("pk"))["m"] or 0,
        consultations=consultations,
        vendor=f"PostgreSQL {version} (database {connection.settings_dict['NAME']})",
        started_at=timezone.now(),
        feed_tokens=tokens,
    )
    connection.close()
    return before


def cpu_seconds():
    """(this process, its ended children): user + system CPU seconds."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def wait_for_reports(before, seconds=60):
    """Let the worker finish the reports requested in the run, so their outcome can be reported."""
    from reports.models import Report

    pending = Report.objects.filter(pk__gt=before.report_id, status__in=[Report.Status.QUEUED, Report.Status.RUNNING])
    deadline = time.monotonic() + seconds
    while pending.exists() and time.monotonic() < deadline:
        gevent.sleep(1)


def reports_requested(before):
    from django.db.models import Count

    from reports.models import Report

    rows = Report.objects.filter(pk__gt=before.report_id).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def clean_up(before):
    """Remove what the run created: consultations (with their history), reports, the feed tokens.

    Also the traces of its forms and sign-ins (one-time form tokens, axes' access log of the demo accounts).
    """
    from axes.models import AccessLog
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django_tasks_db.models import DBTaskResult

    from casework.models import CalendarFeedToken, Consultation, Submission
    from reports.models import Report

    with transaction.atomic():
        created = Consultation.objects.filter(pk__gt=before.consultation_id)
        count = created.count()
        created.delete()
        # Deleting writes one more history row each; the run's records leave no trace. The history of
        # topics, advisors and criteria has no foreign key to the history rows: it goes separately.
        Consultation.history.filter(id__gt=before.consultation_id).delete()
        for relation in ("topics", "advisors", "criteria"):
            model = apps.get_model("casework", f"HistoricalConsultation_{relation}")
            model.objects.filter(consultation_id__gt=before.consultation_id).delete()
        reports = Report.objects.filter(pk__gt=before.report_id).delete()[1].get("reports.Report", 0)
        # Their queue rows too: a later worker on this database would find their reports gone.
        DBTaskResult.objects.filter(enqueued_at__gte=before.started_at).delete()
        accounts = ADVISOR_ACCOUNTS + COORDINATOR_ACCOUNTS
        users = get_user_model().objects.filter(username__in=accounts)
        CalendarFeedToken.objects.filter(user__in=users, revoked_at__isnull=True).delete()
        Submission.objects.filter(user__in=users, created_at__gte=before.started_at).delete()
        AccessLog.objects.filter(username__in=accounts, attempt_time__gte=before.started_at).delete()
    connection.close()
    return count, reports


# --- Pages: what a browser would read from them ------------------------------------------------


class FormParser(HTMLParser):
    """The forms of a page as a browser would submit them unchanged, and the choices each field offers."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "method": (a.get("method") or "get").lower()})
            self.forms[-1].update(fields=[], choices=collections.defaultdict(list), selected={})
            return
        if not self.forms or "name" not in a and tag != "option":
            return
        if "disabled" in a and tag in ("input", "textarea"):
            return  # a browser does not send disabled fields
        form = self.forms[-1]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            name, value = a["name"], a.get("value") or ""
            if kind in ("checkbox", "radio"):
                form["choices"][name].append(value or "on")
                if "checked" in a:
                    form["fields"].append((name, value or "on"))
            elif kind == "submit":
                if not any(n == name for n, _ in form["fields"]):
                    form["fields"].append((name, value))
            elif kind not in ("button", "reset", "file", "image"):
                form["fields"].append((name, value))
        elif tag == "select":
            self._select = (a["name"], "multiple" in a, "disabled" in a)
        elif tag == "option" and self._select:
            name, _multiple, _disabled = self._select
            value = a.get("value", "")
            form["choices"][name].append(value)
            if "selected" in a:
                form["selected"].setdefault(name, []).append(value)
        elif tag == "textarea":
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            name, multiple, disabled = self._select
            form = self.forms[-1]
            chosen = form["selected"].get(name) or ([] if multiple else form["choices"][name][:1])
            if not disabled:
                form["fields"].extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1]["fields"].append((self._textarea[0], self._textarea[1].lstrip("\n")))
            self._textarea = None


def forms_of(page_html):
    parser = FormParser()
    parser.feed(page_html)
    return parser.forms


def form_with(page_html, action, *, method="post"):
    """The first form with this method that goes to the path `action` (a form without action: its page's), or None.

    The pages hold several forms (the navigation's search and sign-out among them).
    """
    for form in forms_of(page_html):
        if form["method"] == method and urlsplit(form["action"] or action).path == action:
            return form
    return None


def replace(fields, **values):
    """The form's fields with some set anew (a list value: a multiple choice)."""
    kept = [(name, value) for name, value in fields if name not in values]
    for name, value in values.items():
        kept.extend((name, v) for v in (value if isinstance(value, list) else [value]))
    return kept


def ids_in(page_html, prefix):
    return [int(pk) for pk in re.findall(rf'href="{re.escape(prefix)}(\d+)/"', page_html)]


def form_errors(page_html):
    errors = re.findall(r'class="[^"]*invalid-feedback[^"]*"[^>]*>\s*(?:<strong>)?([^<]+)', page_html)
    return "; ".join(html.unescape(e.strip()) for e in errors)[:200] or "the form came back"


# --- The people --------------------------------------------------------------------------------


def send_secure_cookies_to_loopback():
    """Send the Secure session and CSRF cookies over plain HTTP to loopback, as browsers do for localhost.

    Production sets them Secure (DEBUG off); gunicorn here speaks plain HTTP, as behind the TLS proxy.
    requests builds a fresh cookie jar with the default policy for every request, so a policy set on the
    session would not apply: the default policy itself is widened, for loopback hosts only.
    """
    only_secure = DefaultCookiePolicy.return_ok_secure

    def return_ok_secure(policy, cookie, request):
        loopback = urlsplit(request.get_full_url()).hostname in ("127.0.0.1", "localhost", "::1")
        return loopback or only_secure(policy, cookie, request)

    DefaultCookiePolicy.return_ok_secure = return_ok_secure


class Run:
    """State shared by all simulated people of one run (set before the runner starts)."""

    back_to_back = True  # the baseline acts without pauses: the mix's latencies without contention
    quick = False
    feed_tokens: dict = {}
    people = 0  # started
    signed_in = 0  # done with on_start
    rng = random.Random(14)


class Person(User):
    """One member of staff: signs in once, then acts every few seconds.

    The first person plays both roles in turn (advisor three times as often as coordinator), so that
    the one-person baseline runs the same mix as the crowd; every later person has one role.
    """

    def wait_time(self):
        return 0 if Run.back_to_back else self.rng.uniform(*THINK_SECONDS)

    def on_start(self):
        index = Run.people
        Run.people += 1
        self.rng = random.Random(Run.rng.random())
        if index == 0:
            roles = ["advisor", "coordinator"]
        else:
            roles = ["coordinator" if index % COORDINATOR_SHARE == 0 else "advisor"]
        self.sessions = {}
        self.state = collections.defaultdict(list)
        try:
            for role in roles:
                self.sessions[role] = self.sign_in(account_for(role, index))
            if Run.quick:  # the smoke run visits every kind of page once, so every path is proven
                for role in roles:
                    for action, _weight in ACTIONS[role]:
                        if action is not request_report or index == 0:
                            self.perform(action, self.sessions[role])
        finally:
            Run.signed_in += 1

    def on_stop(self):
        for client in self.sessions.values():
            client.close()

    def sign_in(self, username):
        client = HttpSession(base_url=self.host, request_event=self.environment.events.request, user=self)
        client.trust_env = False
        client.headers["X-Forwarded-Proto"] = "https"  # as the reverse proxy sends it
        client.username = username
        page = client.get("/anmelden/", name=LOGIN_NAMES[0])
        form = form_with(page.text, "/anmelden/")
        fields = replace(form["fields"], username=username, password=DEMO_PASSWORD)
        if post(client, "/anmelden/", fields, name=LOGIN_NAMES[1], expect="/") is None:
            raise StopUser  # signed out, every page would be the login page: an error, not a measurement
        return client

    @task
    def act(self):
        role = self.rng.choices(list(self.sessions), weights=[3 if r == "advisor" else 1 for r in self.sessions])[0]
        actions, weights = zip(*ACTIONS[role], strict=True)
        self.perform(self.rng.choices(actions, weights=weights)[0], self.sessions[role])

    def perform(self, action, client):
        """Run one action; a page that does not read as expected counts as an error instead of ending the person."""
        try:
            action(self, client)
        except Exception as error:  # noqa: BLE001 - reported as a failed request below
            self.environment.events.request.fire(
                request_type="CLIENT",
                name=f"{action.__name__} (page not as expected)",
                response_time=0,
                response_length=0,
                response=None,
                context={},
                exception=error,
                url=None,
                start_time=time.time(),
            )


def account_for(role, index):
    """The demo account of the index-th person: each role's accounts (one per Fachstelle) in turn."""
    if role == "advisor":
        return ADVISOR_ACCOUNTS[index % len(ADVISOR_ACCOUNTS)]
    return COORDINATOR_ACCOUNTS[index // COORDINATOR_SHARE % len(COORDINATOR_ACCOUNTS)]


def post(client, path, fields, *, name, expect, then=None):
    """Send a form as the browser does and follow its redirect; the match of `expect`, or None (a failure).

    The page is the Referer (Django checks it on HTTPS). A saved form redirects to a path matching the
    regular expression `expect`; the browser then loads it (named `then`). The redirect is followed here,
    not by requests, so that the POST and the page after it are timed apart.
    """
    referer = f"https://{urlsplit(client.base_url).netloc}{path}"
    with client.post(
        path, data=fields, headers={"Referer": referer}, name=name, allow_redirects=False, catch_response=True
    ) as response:
        location = urlsplit(response.headers.get("Location", "")).path
        match = re.fullmatch(expect, location) if response.status_code == 302 else None
        if match is None:
            where = f" → {location}" if location else ""
            response.failure(f"not accepted ({response.status_code}{where}): {form_errors(response.text)}")
            return None
    if then:
        client.get(location, name=then)
    return match


def get(person, client, url, name, keep=None):
    """GET a page; `keep` = (key, path prefix): remember the ids of records it links to.

    A redirect elsewhere (to the sign-in or the second factor) is a failure: that page is not the one measured.
    """
    with client.get(url, name=name, catch_response=True) as response:
        if response.history and urlsplit(response.url).path != urlsplit(url).path:
            response.failure(f"redirected to {urlsplit(response.url).path}")
    if keep and response.ok:
        key, prefix = keep
        found = ids_in(response.text, prefix)
        if found:
            person.state[key] = found[:50]
    return response


# Advisors


def home(person, client):
    get(person, client, "/", "home", keep=("consultations", "/beratungen/"))


def consultation_list(person, client):
    page = person.rng.choice([1, 1, 1, 1, 2, 2, 3, person.rng.randint(4, 200)])
    url = "/beratungen/" if page == 1 else f"/beratungen/?page={page}"
    get(person, client, url, "consultations: list", keep=("consultations", "/beratungen/"))


def consultation_filtered(person, client):
    year = date.today().year - person.rng.choice([0, 1, 1, 2])
    month = person.rng.randint(1, 10)
    query = {
        "format": person.rng.choice(FORMATS),
        "date_from": f"{year}-{month:02d}-01",
        "date_to": f"{year}-{month + 2:02d}-28",
    }
    get(
        person,
        client,
        f"/beratungen/?{urlencode(query)}",
        "consultations: filtered",
        keep=("consultations", "/beratungen/"),
    )


def consultation_search(person, client):
    query = urlencode({"q": person.rng.choice(SEARCH_WORDS)})
    get(person, client, f"/beratungen/?{query}", "consultations: search", keep=("consultations", "/beratungen/"))


def global_search(person, client):
    get(person, client, f"/suche/?{urlencode({'q': person.rng.choice(SEARCH_WORDS)})}", "search (global)")


def consultation_detail(person, client):
    if not person.state["consultations"]:
        consultation_list(person, client)
    if person.state["consultations"]:
        pk = person.rng.choice(person.state["consultations"])
        get(person, client, f"/beratungen/{pk}/", "consultation: detail")


def organisations(person, client):
    query = urlencode({"q": person.rng.choice(ORGANISATION_WORDS)})
    get(
        person, client, f"/organisationen/?{query}", "organisations: search", keep=("organisations", "/organisationen/")
    )
    if person.state["organisations"] and person.rng.random() < 0.7:
        pk = person.rng.choice(person.state["organisations"])
        get(person, client, f"/organisationen/{pk}/", "organisation: detail")


def create_consultation(person, client):
    """Log a consultation as in the browser: the form, the organisation picker, then save."""
    page = client.get("/beratungen/neu/", name="consultation: create form")
    form = form_with(page.text, "/beratungen/neu/") if page.ok else None
    picked = client.get(
        f"/organisationen/auswahl/?{urlencode({'q': person.rng.choice(ORGANISATION_WORDS)})}",
        name="organisation picker",
    )
    choices = picked.json().get("results", []) if picked.ok else []
    if form is None or not choices:
        return
    topics = form["choices"].get("topics", [])
    unit = dict(form["fields"]).get("unit") or next(v for v in form["choices"].get("unit", [""]) if v)
    fields = replace(
        form["fields"],
        unit=unit,
        organisation=str(person.rng.choice(choices)["id"]),
        topics=person.rng.sample(topics, min(len(topics), person.rng.randint(1, 2))),
        summary=f"{MARKER} Beratung zu Satzung und Vorstandsarbeit; nächste Schritte besprochen.",
        duration_minutes=str(person.rng.choice([30, 45, 60, 90])),
        format=person.rng.choice(FORMATS),
    )
    created = post(
        client,
        "/beratungen/neu/",
        fields,
        name="consultation: save new (POST)",
        expect=r"/beratungen/(\d+)/",
        then="consultation: detail",
    )
    if created:
        person.state["created"].append(int(created.group(1)))


def edit_consultation(person, client):
    """Complete a consultation logged earlier in this run (the run never changes the seeded records)."""
    if not person.state["created"]:
        return create_consultation(person, client)
    pk = person.rng.choice(person.state["created"])
    page = client.get(f"/beratungen/{pk}/bearbeiten/", name="consultation: edit form")
    form = form_with(page.text, f"/beratungen/{pk}/bearbeiten/") if page.ok else None
    if form is None:
        return
    fields = replace(
        form["fields"],
        agreements=f"{MARKER} Entwurf der Satzung bis {date.today():%d.%m.} schicken ({person.rng.randint(1, 999)}).",
    )
    path = f"/beratungen/{pk}/"
    post(
        client,
        f"{path}bearbeiten/",
        fields,
        name="consultation: save edit (POST)",
        expect=path,
        then="consultation: detail",
    )


def calendar_feed(person, client):
    """The person's calendar app fetching the follow-up feed (no session; the token is the key)."""
    token = Run.feed_tokens[client.username]
    client.get(f"/kalender/{token}.ics", name="calendar feed (.ics)")


# Coordinators


def dashboard(person, client):
    get(person, client, "/dashboard/", "dashboard", keep=("consultations", "/beratungen/"))


def report_form(person, client):
    """The report page's form with last year chosen, as the fields a preview or a request sends."""
    page = client.get("/berichte/", name="reports: list and form")
    form = form_with(page.text, "/berichte/vorschau/", method="get") if page.ok else None
    if form is None:
        return None
    return replace(form["fields"], period_kind="year", year=str(date.today().year - 1))


def report_preview(person, client):
    fields = report_form(person, client)
    if fields is not None:
        person.state["preview"] = client.get(
            f"/berichte/vorschau/?{urlencode(fields)}", name="report: preview (figures)"
        ).text


def request_report(person, client):
    """Rarely: generate and archive a report (the worker renders PDF, CSV, XLSX)."""
    report_preview(person, client)
    form = form_with(person.state.get("preview") or "", "/berichte/erzeugen/")
    if form is None:
        return
    post(
        client,
        "/berichte/erzeugen/",
        form["fields"],
        name="report: request (POST)",
        expect=r"/berichte/\d+/",
        then="report: detail",
    )


ACTIONS = {
    "advisor": [
        (home, 4),
        (consultation_list, 4),
        (consultation_filtered, 2),
        (consultation_search, 2),
        (global_search, 2),
        (consultation_detail, 4),
        (organisations, 2),
        (create_consultation, 1),
        (edit_consultation, 1),
        (calendar_feed, 1),
    ],
    "coordinator": [
        (home, 2),
        (dashboard, 4),
        (consultation_list, 2),
        (consultation_detail, 2),
        (report_preview, 2),
        (request_report, 0.1),
    ],
}


# --- Steps -------------------------------------------------------------------------------------


class Window:
    """The requests of one measuring window (sign-ins excluded: they happen once a day)."""

    def __init__(self):
        self.open = False
        self.samples = []  # (name, milliseconds, failed)
        self.failures = collections.Counter()  # (name, error) over the whole run, sign-ins included
        self.total = 0

    def on_request(self, request_type, name, response_time, response_length, exception=None, **kwargs):
        self.total += 1
        if exception is not None:
            error = re.sub(r"/kalender/[^ ]+", "/kalender/….ics", str(exception))  # the token is a secret
            self.failures[(name, error[:160])] += 1
        if self.open and name not in LOGIN_NAMES:
            self.samples.append((name, response_time, exception is not None))


@dataclass
class Step:
    users: int
    seconds: float
    samples: list
    running: int  # people still acting at the end (a person whose sign-in failed stops)

    @property
    def times(self):
        return [ms for _name, ms, _failed in self.samples]

    @property
    def errors(self):
        return sum(1 for _name, _ms, failed in self.samples if failed)

    @property
    def median(self):
        return percentile(self.times, 0.5)

    @property
    def p95(self):
        return percentile(self.times, 0.95)


def percentile(samples, fraction):
    """Nearest-rank percentile (as bench/pages.py); NaN without samples."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def run_steps(args, servers, window):
    environment = Environment(user_classes=[Person], host=servers.base_url)
    environment.events.request.add_listener(window.on_request)
    runner = environment.create_local_runner()
    steps, stop_reason = [], None
    started = time.monotonic()
    budget = args.budget_minutes * 60
    try:
        for index, users in enumerate(args.steps):
            seconds = args.baseline_seconds if index == 0 else args.step_seconds
            if index > 0 and time.monotonic() - started + seconds + 30 > budget:
                stop_reason = f"time budget of {args.budget_minutes:g} min"
                break
            Run.back_to_back = index == 0
            print(f"  step {users} people: spawning …", file=sys.stderr)
            runner.start(users, spawn_rate=args.spawn_rate)
            ramp_up = (users - runner.user_count) / args.spawn_rate + 60
            wait_until(lambda n=users: Run.people >= n and all_started(runner), timeout=ramp_up)
            gevent.sleep(min(5, seconds / 5))  # the first requests after signing in are not yet the steady state
            window.samples, window.open = [], True
            step_started = time.monotonic()
            while time.monotonic() - step_started < seconds and window.total < args.max_requests:
                gevent.sleep(0.5)
                if dead := servers.check_alive():
                    stop_reason = f"{', '.join(dead)} died"
                    break
            window.open = False
            step = Step(users, time.monotonic() - step_started, window.samples, runner.user_count)
            steps.append(step)
            print(
                f"  step {users} people: {len(step.samples)} requests, {step.errors} errors, "
                f"median {step.median:.0f} ms, p95 {step.p95:.0f} ms",
                file=sys.stderr,
            )
            if stop_reason:
                break
            if window.total >= args.max_requests:
                stop_reason = f"request cap of {args.max_requests:,}"
                break
            if step.p95 > KNEE_MS and users >= min(GOAL_USERS, args.steps[-1]):
                stop_reason = f"p95 above {KNEE_MS} ms"
                break
        else:
            stop_reason = "last step"
    finally:
        runner.quit()
    return steps, stop_reason


def all_started(runner):
    """Every spawned person has signed in (on_start done); nobody leaves before the run ends."""
    return Run.signed_in >= runner.user_count


def wait_until(condition, timeout):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        gevent.sleep(0.2)


# --- Report ------------------------------------------------------------------------------------


def report(args, before, steps, stop_reason, window, reports, elapsed):
    print(f"\n**Database:** {before.vendor}, {before.consultations:,} consultations  ")
    print(
        f"**Server:** gunicorn, 3 sync workers, DEBUG off, and `manage.py {worker_command()[-1]}`, on 127.0.0.1; "
        f"locust {locust.__version__} in the same machine ({os.cpu_count()} CPUs for server, database and load)  "
    )
    print(
        f"**Mix:** advisors and coordinators 3 : 1 with the demo accounts; think time {THINK_SECONDS[0]}–"
        f"{THINK_SECONDS[1]} s; the 1-person baseline plays both roles back to back  "
    )
    mode = "quick smoke run" if args.quick else "full run"
    print(f"**Run:** {mode}, {elapsed / 60:.1f} min; stopped: {stop_reason}; times are client-side in ms\n")
    print("| people | requests | errors | median ms | p95 ms | p95 ÷ p95(1) | requests/s |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    baseline = steps[0].p95 if steps else math.nan
    for step in steps:
        people = f"{step.users}" if step.running == step.users else f"{step.users} ({step.running} acting)"
        print(
            f"| {people} | {len(step.samples)} | {step.errors} | {step.median:.0f} | {step.p95:.0f} | "
            f"{step.p95 / baseline:.2f} | {len(step.samples) / step.seconds:.1f} |"
        )

    detail = next((s for s in steps if s.users == GOAL_USERS), steps[-1] if steps else None)
    if detail:
        print(f"\nRequests at {detail.users} people by kind:\n")
        print("| request | count | errors | median ms | p95 ms |")
        print("|---|---:|---:|---:|---:|")
        by_name = collections.defaultdict(list)
        for name, ms, failed in detail.samples:
            by_name[name].append((ms, failed))
        for name, rows in sorted(by_name.items()):
            times = [ms for ms, _ in rows]
            errors = sum(failed for _, failed in rows)
            print(f"| {name} | {len(rows)} | {errors} | {percentile(times, 0.5):.0f} | {percentile(times, 0.95):.0f} |")

    print(f"\nReports requested in the run: {', '.join(f'{n} {s}' for s, n in sorted(reports.items())) or 'none'}")
    if window.failures:
        print("\nFailures in the whole run (sign-ins and ramp-ups included):")
        for (name, error), count in window.failures.most_common(15):
            print(f"- {count} × {name}: {error}")

    misses = []
    goal = next((s for s in steps if s.users == GOAL_USERS), None)
    print()
    if goal is None:
        print(
            f"Goals at {GOAL_USERS} people: not measured in this run (steps {', '.join(str(s.users) for s in steps)})."
        )
    else:
        limit = GOAL_P95_FACTOR * baseline
        print(f"Goal: 0 errors at {GOAL_USERS} people: {goal.errors} errors")
        print(
            f"Goal: p95({GOAL_USERS}) ≤ {GOAL_P95_FACTOR} × p95(1) = {limit:.0f} ms: p95({GOAL_USERS}) = "
            f"{goal.p95:.0f} ms ({goal.p95 / baseline:.2f} ×)"
        )
        if goal.errors:
            misses.append(f"{goal.errors} errors at {GOAL_USERS} people")
        if goal.p95 > limit:
            misses.append(f"p95({GOAL_USERS}) = {goal.p95:.0f} ms > {GOAL_P95_FACTOR} × p95(1) = {limit:.0f} ms")
    knee = next((s for s in steps if s.p95 > KNEE_MS), None)
    if knee:
        print(f"Knee: p95 passes {KNEE_MS} ms at {knee.users} people (p95 {knee.p95:.0f} ms).")
    elif steps:
        print(f"Knee: not reached; p95 ≤ {KNEE_MS} ms up to {steps[-1].users} people.")
    if reports.get("failed"):
        misses.append(f"{reports['failed']} requested reports failed in the worker")
    for miss in misses:
        print(f"GOAL MISSED: {miss}")
    if goal is not None and not misses:
        print("All goals met.")


def main():
    args = parse_args()
    Run.quick = args.quick
    Run.rng = random.Random(args.seed)
    send_secure_cookies_to_loopback()
    env = server_environment()
    before = prepare_database(env)
    Run.feed_tokens = before.feed_tokens
    print(f"Load test on {before.vendor} …", file=sys.stderr)
    logs = Path(tempfile.mkdtemp(prefix="vielfalt-load-"))
    servers = Servers(env=env, logs=logs)
    window = Window()
    started = time.monotonic()
    cpu_before = cpu_seconds()
    try:
        collect_static(env)
        servers.start()
        print(f"  gunicorn and the worker on {servers.base_url}", file=sys.stderr)
        steps, stop_reason = run_steps(args, servers, window)
        load_cpu = cpu_seconds()[0] - cpu_before[0]
        wait_for_reports(before)
        reports = reports_requested(before)
    finally:  # also after a failed setup or Ctrl-C: no server left running, no test data left behind
        servers.stop()
        server_errors = [
            line
            for log in sorted(logs.glob("*.log"))
            for line in log.read_text(errors="replace").splitlines()
            if "Traceback" in line or "Internal Server Error" in line or "ERROR" in line
        ]
        shutil.rmtree(logs)
        if not args.keep:
            created, removed_reports = clean_up(before)
            print(f"  removed {created} consultations and {removed_reports} reports of this run", file=sys.stderr)
    elapsed = time.monotonic() - started
    server_cpu = cpu_seconds()[1] - cpu_before[1]  # gunicorn's workers and the worker, once they have ended

    report(args, before, steps, stop_reason, window, reports, elapsed)
    print(
        f"\nCPU over the {elapsed:.0f} s: load generator {load_cpu:.0f} s, gunicorn + worker {server_cpu:.0f} s "
        f"(PostgreSQL not counted; {os.cpu_count()} CPUs = {os.cpu_count() * elapsed:.0f} CPU-s) for "
        f"{window.total:,} requests in all (start-up, sign-ins, ramp-ups and reports included): "
        f"{server_cpu / max(window.total, 1) * 1000:.0f} ms of gunicorn + worker CPU per request."
    )
    if server_errors:
        print(f"\nServer logs: {len(server_errors)} error lines, the first ones:")
        for line in server_errors[:5]:
            print(f"- {line[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
