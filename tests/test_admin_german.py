"""The admin screens the staff uses are German throughout (issue 10).

Django 5.2's German catalogue, django-tasks-db and django-guardian leave some texts English, and
Django stores permission names in English; locale/de and casework/admin.py fill the gaps.
"""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db

# Phrases that showed in English before; none may come back.
ENGLISH_PHRASES = [
    "After you’ve created a user",
    "Password-based authentication",
    "Whether the user will be able to authenticate",
    "Raw passwords are not stored",
    "Reset password",
    "If disabled, the current password",
    "Can add ",
    "Can change ",
    "Can delete ",
    "Can view ",
    "historical ",
    "Task Result",
    "Tasks Database Backend",
    "Task name",
    "Created by",
    "Done by",
    'alt="Search"',
    "Object permissions",
    "User permissions",
    "Group permissions",
    ">Enabled<",
    ">Disabled<",
]


@pytest.fixture
def admin_client(client, people):
    people["admin"].is_superuser = True
    people["admin"].save()
    client.force_login(people["admin"])
    return client


@pytest.fixture
def task_result(settings):
    # The admin resolves a result's task through its backend: the database queue, as in production.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return DBTaskResult.objects.create(
        status="FAILED",
        args_kwargs={"args": [], "kwargs": {}},
        task_path="reports.tasks.generate_report",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="ValueError",
        traceback="ValueError: kaputt",
    )


def admin_pages(people, records, task_result):
    """URL → phrases that must show there in German."""
    user, group, unit = people["advisor_mo"], people["advisor_mo"].groups.first(), records["own"].unit
    return {
        reverse("admin:index"): ["Hintergrundaufgaben", "Ergebnisse der Hintergrundaufgaben"],
        reverse("admin:auth_user_add"): [
            "Nach dem Anlegen des Benutzers lassen sich weitere Einstellungen bearbeiten.",
            "Passwortbasierte Anmeldung",
            "Aktiviert",
        ],
        reverse("admin:auth_user_change", args=[user.pk]): [
            "Passwort zurücksetzen",
            "Passwörter werden nicht im Klartext gespeichert",
            "Kann „Logeintrag“ hinzufügen",
        ],
        reverse("admin:auth_user_password_change", args=[user.pk]): [
            "Beim Deaktivieren geht das bisherige Passwort dieses Benutzers verloren.",
            "Passwortbasierte Anmeldung deaktivieren",
        ],
        reverse("admin:auth_user_changelist"): ['alt="Suchen"'],
        reverse("admin:auth_group_add"): ["Kann „Beratung“ ändern"],
        reverse("admin:auth_group_change", args=[group.pk]): [
            "Administration | Logeintrag | Kann „Logeintrag“ löschen",
            "Kann „Änderungsverlauf: Beratung“ ansehen",
            "Kann „Änderungsverlauf: Beratung – Berater*innen“ ansehen",
            "Kann „Ergebnis einer Hintergrundaufgabe“ ansehen",
            "Kann „Objektberechtigung einer Gruppe“ ansehen",
            # This project's own permissions keep their German names.
            "Beratungsarbeit | Fachstelle | Datensätze der Fachstelle sehen",
        ],
        reverse("admin:django_tasks_database_dbtaskresult_changelist"): ["Aufgabe", "Fehlgeschlagen", "Warteschlange"],
        reverse("admin:django_tasks_database_dbtaskresult_change", args=[task_result.pk]): [
            "Fehlerverlauf (Traceback)",
            "Frühestens ausführen ab",
        ],
        reverse("admin:casework_consultation_add"): ["angelegt von"],
        reverse("admin:casework_followup_add"): ["erledigt von"],
        reverse("admin:casework_unit_permissions", args=[unit.pk]): [
            "Objektberechtigungen",
            "Kann „Fachstelle“ hinzufügen",
            "Berechtigungen von Gruppen",
        ],
        reverse("admin:casework_unit_permissions_manage_group", args=[unit.pk, group.pk]): [
            "Kann „Fachstelle“ ändern",
        ],
    }


def test_admin_pages_show_no_english(admin_client, people, records, task_result):
    for url in admin_pages(people, records, task_result):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        found = [phrase for phrase in ENGLISH_PHRASES if phrase in html]
        assert not found, f"English on {url}: {found}"


def test_admin_pages_show_the_german_texts(admin_client, people, records, task_result):
    for url, phrases in admin_pages(people, records, task_result).items():
        html = admin_client.get(url).content.decode()
        missing = [phrase for phrase in phrases if phrase not in html]
        assert not missing, f"missing on {url}: {missing}"


def test_admin_in_english_keeps_english_permission_names(admin_client, people):
    """The German labels come from locale/de: someone who chose English sees English."""
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = admin_client.get(reverse("admin:auth_group_add")).content.decode()
    assert "Can add log entry" in html
    assert "Kann „" not in html


def test_permission_picker_costs_no_query_per_permission(admin_client, people, django_assert_max_num_queries):
    """Labels come from the model registry, not from one content-type lookup per permission."""
    url = reverse("admin:auth_group_change", args=[people["advisor_mo"].groups.first().pk])
    with django_assert_max_num_queries(15):
        response = admin_client.get(url)
    assert len(re.findall(r"<option ", response.content.decode())) > 200


def test_language_switch_names_each_language_in_itself(client, people):
    client.force_login(people["advisor_mo"])
    german = client.get(reverse("casework:home")).content.decode()
    assert re.search(r'lang="en">\s*English\s*</button>', german)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("casework:home")).content.decode()
    assert re.search(r'lang="de">\s*Deutsch\s*</button>', english)
