"""At 390 px (a phone) the follow-up lists fit the screen and their buttons work (headless Chromium)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casework.models import FollowUp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def page_width(page) -> int:
    return page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")


def assert_on_screen(locator):
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


def test_follow_up_pages_fit_a_phone_and_their_buttons_work(e2e, people, records):
    follow_up = records["follow_up_own"]
    follow_up.what = "Rückmeldung des Finanzamts zur Gemeinnützigkeit abwarten und mit dem Vorstand besprechen"
    follow_up.save()
    done = FollowUp.objects.create(
        unit=follow_up.unit,
        consultation=follow_up.consultation,
        due_on=timezone.localdate() - datetime.timedelta(days=3),
        what="Satzung gegenlesen",
        assigned_to=people["advisor_mo"],
        done_at=timezone.now(),
        done_by=people["advisor_mo"],
    )
    page = e2e.new_page(viewport=PHONE)
    e2e.login(page, "beratung-mo")

    paths = [
        "/wiedervorlagen/",
        "/wiedervorlagen/?status=all",
        "/wiedervorlagen/fachstellen/",
        f"/wiedervorlagen/{follow_up.pk}/bearbeiten/",
        f"/wiedervorlagen/{follow_up.pk}/verschieben/",
        "/",
    ]
    for path in paths:
        assert page.goto(path).status == 200, path
        assert page_width(page) <= PHONE["width"], f"{path}: {page_width(page)} px breit"

    page.goto("/wiedervorlagen/")
    card = page.locator(".follow-up-cards li", has_text="Rückmeldung des Finanzamts")
    assert_on_screen(card.get_by_role("button", name="erledigt"))
    assert_on_screen(card.get_by_role("link", name="bearbeiten"))
    card.get_by_role("button", name="+1 Woche").click()
    expect(page.get_by_text("ist jetzt am")).to_be_visible()
    postponed = follow_up.due_on + datetime.timedelta(days=7)
    assert FollowUp.objects.get(pk=follow_up.pk).due_on == postponed

    page.goto("/wiedervorlagen/?status=done")
    reopen = page.locator(".follow-up-cards li", has_text="Satzung gegenlesen").get_by_role(
        "button", name="wieder öffnen"
    )
    assert_on_screen(reopen)
    reopen.click()
    expect(page.get_by_text("Wiedervorlage „Satzung gegenlesen“ ist wieder offen.")).to_be_visible()
    assert FollowUp.objects.get(pk=done.pk).done_at is None
    e2e.assert_clean_console()
