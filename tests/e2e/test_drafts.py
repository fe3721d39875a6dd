"""Typed work is never lost: drafts in the browser (static/js/drafts.js) and length limits (fields.js)."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from playwright.sync_api import expect

from casework.models import Consultation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BANNER = re.compile(r"Ein nicht gespeicherter Entwurf vom \d\d\.\d\d\.\d{4}, \d\d:\d\d Uhr liegt vor\.")
HAS_DRAFT = "() => Object.keys(localStorage).some(key => key.startsWith('vb.draft:'))"
DRAFT_COUNT = "() => Object.keys(localStorage).filter(key => key.startsWith('vb.draft:')).length"


def edit_url(consultation):
    return reverse("casework:consultation_edit", kwargs={"pk": consultation.pk})


def detail_url(consultation):
    return reverse("casework:consultation_detail", kwargs={"pk": consultation.pk})


def open_edit_page(e2e, consultation):
    page = e2e.login(e2e.new_page(), "beratung-mo")
    page.goto(edit_url(consultation))
    expect(page.get_by_label("Zusammenfassung")).to_be_visible()
    return page


def test_draft_survives_a_closed_tab_and_is_cleared_after_saving(e2e, people, records):
    consultation = records["own"]
    other_org = consultation.organisation.__class__.objects.get(name="Verein ohne Beratung e.V.")
    page = open_edit_page(e2e, consultation)
    # Nothing typed yet: opening a form leaves no draft.
    page.wait_for_timeout(600)
    assert page.evaluate(DRAFT_COUNT) == 0

    page.get_by_label("Zusammenfassung").fill("Neuer Text, der nicht verloren gehen darf.")
    page.get_by_label("Format").select_option(label="telefonisch")
    topic = page.get_by_role("checkbox", name="Fördermittelakquise")
    topic_was_checked = topic.is_checked()
    topic.set_checked(not topic_was_checked)
    # A remote picker: the chosen organisation is not among the page's options after a reload.
    picker = page.get_by_role("combobox", name="Organisation")
    expect(page.locator("select#id_organisation.tomselected")).to_be_attached()  # picker.js has run
    picker.focus()
    with page.expect_response(lambda r: "/organisationen/auswahl/?q=" in r.url and r.ok):
        picker.press_sequentially("ohne Ber")
    page.locator(".ts-dropdown .option", has_text="Verein ohne Beratung e.V.").click()
    page.wait_for_function(HAS_DRAFT)
    page.wait_for_timeout(600)  # the last change is saved shortly after
    context = page.context
    page.close()  # the tab is closed without saving

    page = context.new_page()
    page.goto(edit_url(consultation))
    banner = page.locator("[data-draft-banner]")
    expect(banner).to_contain_text(BANNER)
    expect(page.get_by_label("Zusammenfassung")).to_have_value(consultation.summary)
    banner.get_by_role("button", name="Wiederherstellen").click()
    expect(banner).to_have_text(re.compile("Der Entwurf wurde wiederhergestellt"))
    expect(page.get_by_label("Zusammenfassung")).to_have_value("Neuer Text, der nicht verloren gehen darf.")
    expect(page.get_by_label("Format")).to_have_value(Consultation.Format.PHONE)
    expect(page.get_by_role("checkbox", name="Fördermittelakquise")).to_be_checked(checked=not topic_was_checked)
    expect(page.locator("select#id_organisation")).to_have_value(str(other_org.pk))
    expect(page.locator(".ts-wrapper").filter(has=page.locator("#id_organisation-ts-control"))).to_contain_text(
        "Verein ohne Beratung e.V."
    )

    page.get_by_role("button", name="Speichern").click()
    expect(page).to_have_url(re.compile(re.escape(detail_url(consultation)) + "$"))
    consultation.refresh_from_db()
    assert consultation.summary == "Neuer Text, der nicht verloren gehen darf."
    assert consultation.format == Consultation.Format.PHONE
    assert consultation.organisation == other_org
    assert consultation.topics.filter(name="Fördermittelakquise").exists() is not topic_was_checked
    assert page.evaluate(DRAFT_COUNT) == 0  # a successful save clears the draft
    page.goto(edit_url(consultation))
    expect(page.get_by_label("Zusammenfassung")).to_be_visible()
    expect(page.locator("[data-draft-banner]")).to_have_count(0)
    e2e.assert_clean_console()


def test_draft_survives_a_lost_session(e2e, people, records):
    consultation = records["own"]
    page = open_edit_page(e2e, consultation)
    page.get_by_label("Vereinbarungen / nächste Schritte").fill("Bis Freitag die Satzung schicken.")
    page.wait_for_function(HAS_DRAFT)

    Session.objects.all().delete()  # the session ends while the person types
    page.get_by_role("button", name="Speichern").click()

    expect(page).to_have_url(re.compile(r"/anmelden/\?next=.*sitzung=abgelaufen"))
    expect(page.get_by_role("status").filter(has_text="Ihre Sitzung ist wegen Inaktivität abgelaufen")).to_be_visible()
    consultation.refresh_from_db()
    assert consultation.agreements != "Bis Freitag die Satzung schicken."
    assert page.evaluate(DRAFT_COUNT) == 1

    page.get_by_label("Benutzername").fill("beratung-mo")
    page.get_by_label("Passwort").fill("pw-beratung-mo")
    page.get_by_role("button", name="Anmelden").click()
    expect(page).to_have_url(re.compile(re.escape(edit_url(consultation)) + "$"))  # back where the person was

    banner = page.locator("[data-draft-banner]")
    expect(banner).to_contain_text(BANNER)
    banner.get_by_role("button", name="Wiederherstellen").click()
    expect(page.get_by_label("Vereinbarungen / nächste Schritte")).to_have_value("Bis Freitag die Satzung schicken.")
    page.get_by_role("button", name="Speichern").click()
    expect(page).to_have_url(re.compile(re.escape(detail_url(consultation)) + "$"))
    consultation.refresh_from_db()
    assert consultation.agreements == "Bis Freitag die Satzung schicken."
    assert page.evaluate(DRAFT_COUNT) == 0
    e2e.assert_clean_console()


def test_discarding_and_signing_out_delete_drafts(e2e, people, records):
    consultation = records["own"]
    page = open_edit_page(e2e, consultation)
    page.get_by_label("Zusammenfassung").fill("Erster Entwurf")
    page.wait_for_function(HAS_DRAFT)
    page.reload()
    page.locator("[data-draft-banner]").get_by_role("button", name="Verwerfen").click()
    expect(page.locator("[data-draft-banner]")).to_have_count(0)
    assert page.evaluate(DRAFT_COUNT) == 0
    expect(page.get_by_label("Zusammenfassung")).to_have_value(consultation.summary)

    page.get_by_label("Zusammenfassung").fill("Zweiter Entwurf")
    page.wait_for_function(HAS_DRAFT)
    page.get_by_role("button", name="Beratung-mo").or_(page.get_by_role("button", name="Aylin Demir")).click()
    page.get_by_role("button", name="Abmelden").click()
    expect(page).to_have_url(re.compile("/anmelden/"))
    assert page.evaluate(DRAFT_COUNT) == 0  # no personal data stays behind in the browser
    e2e.assert_clean_console()


def test_too_long_text_is_kept_whole_and_refused(e2e, people, records):
    consultation = records["own"]
    page = open_edit_page(e2e, consultation)
    summary = page.get_by_label("Zusammenfassung")
    # The cursor starts in the form's first field.
    assert page.evaluate("document.activeElement.closest('main form') !== null")

    summary.fill("x" * 3900)
    counter = page.locator("#id_summary-counter")
    expect(counter).to_be_hidden()  # far from the limit: no counter
    summary.fill("x" * 4500)
    expect(counter).to_have_text("4500 / 5000 Zeichen")
    summary.fill("x" * 5003)  # like a paste: nothing is cut
    assert len(summary.input_value()) == 5003
    expect(counter).to_contain_text("5003 / 5000 Zeichen – zu lang, bitte kürzen.")
    expect(summary).to_have_class(re.compile(r"\bis-invalid\b"))
    message = summary.evaluate("field => field.validationMessage")
    assert message == "Dieser Text ist 5003 Zeichen lang, erlaubt sind höchstens 5000. Bitte um 3 Zeichen kürzen."

    page.get_by_role("button", name="Speichern").click()
    page.wait_for_timeout(500)
    expect(page).to_have_url(re.compile(re.escape(edit_url(consultation)) + "$"))
    consultation.refresh_from_db()
    assert consultation.summary != "x" * 5003

    summary.fill("x" * 5000)
    expect(summary).not_to_have_class(re.compile(r"\bis-invalid\b"))
    expect(counter).to_have_text("5000 / 5000 Zeichen")
    e2e.assert_clean_console()


def test_list_pages_keep_the_focus_where_it_is(e2e, people, records):
    page = e2e.login(e2e.new_page(), "beratung-mo")
    page.goto(reverse("casework:consultation_list"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("document.activeElement === document.body")


def test_create_page_puts_the_cursor_in_the_first_field_without_opening_a_picker(e2e, people, records):
    page = e2e.login(e2e.new_page(), "beratung-mo")
    page.goto(reverse("casework:consultation_create"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Beratung erfassen")
    first_field = page.evaluate(
        """() => Array.from(document.querySelector('main form').querySelectorAll('input, select, textarea'))
            .find(field => field.type !== 'hidden' && !field.classList.contains('tomselected')
                  && field.getClientRects().length > 0).id"""
    )
    page.wait_for_function(f"() => document.activeElement.id === {first_field!r}")
    expect(page.locator(".ts-dropdown").first).to_be_hidden()


def test_a_draft_of_an_older_version_meets_the_concurrent_edit_check(e2e, people, records):
    consultation = records["own"]
    page = open_edit_page(e2e, consultation)
    page.get_by_label("Zusammenfassung").fill("Entwurf auf dem alten Stand.")
    page.wait_for_function(HAS_DRAFT)
    context = page.context
    page.close()

    # Meanwhile a colleague saves the record: its version moves on.
    colleague = e2e.login(e2e.new_page(), "koordination-mo")
    colleague.goto(edit_url(consultation))
    colleague.get_by_label("Vereinbarungen").fill("Von der Kollegin gespeichert.")
    colleague.get_by_role("button", name="Speichern").click()
    expect(colleague).to_have_url(re.compile(re.escape(detail_url(consultation)) + "$"))

    page = context.new_page()
    page.goto(edit_url(consultation))
    page.locator("[data-draft-banner]").get_by_role("button", name="Wiederherstellen").click()
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator("main")).to_contain_text("Inzwischen hat")
    consultation.refresh_from_db()
    assert consultation.summary != "Entwurf auf dem alten Stand."
    assert consultation.agreements == "Von der Kollegin gespeichert."
