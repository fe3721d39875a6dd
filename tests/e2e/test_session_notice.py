"""The session notice (static/js/session.js): warns before the end, keeps the session, shares tabs.

With a 16-second session the notice appears 4 seconds before the end (a quarter of short timeouts).
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SESSION_AGE = 16
WAIT_MS = (SESSION_AGE + 10) * 1000
WARNING = "Ihre Sitzung endet in weniger als einer Minute. Möchten Sie angemeldet bleiben?"


def test_notice_warns_keeps_the_session_and_follows_other_tabs(e2e, people, settings):
    settings.SESSION_COOKIE_AGE = SESSION_AGE
    first = e2e.login(e2e.new_page(), "beratung-mo")
    second = first.context.new_page()
    second.goto(reverse("casework:home"))
    notice = first.locator("#session-notice")
    second_notice = second.locator("#session-notice")
    expect(notice).to_be_hidden()

    expect(notice).to_have_text(re.compile(re.escape(WARNING)), timeout=WAIT_MS)
    expect(notice).to_be_visible()
    expect(notice.get_by_role("link", name="Erneut anmelden")).to_be_hidden()

    # Work in another tab renews the session: this tab stops warning.
    second.reload()
    expect(notice).to_be_hidden()

    expect(notice).to_be_visible(timeout=WAIT_MS)
    with first.expect_response(lambda r: r.url.endswith(reverse("casework:session_keepalive"))) as answer:
        notice.get_by_role("button", name="Angemeldet bleiben").click()
    assert answer.value.status == 204
    expect(notice).to_be_hidden()
    expect(second_notice).to_be_hidden()  # the other tab learns of it too

    # Without activity the session ends; the notice says so and that the draft is kept.
    expect(notice).to_be_visible(timeout=WAIT_MS)
    expect(notice).to_contain_text("Ihre Sitzung ist abgelaufen.", timeout=WAIT_MS)
    expect(notice).to_contain_text("als Entwurf in diesem Browser erhalten")
    expect(notice.get_by_role("button", name="Angemeldet bleiben")).to_be_hidden()
    expect(notice.get_by_role("link", name="Erneut anmelden")).to_have_attribute("href", "/anmelden/?next=/")

    # The server agrees: the next page asks to sign in again and says why.
    first.goto(reverse("casework:consultation_list"))
    expect(first).to_have_url(re.compile(r"/anmelden/\?next=/beratungen/&sitzung=abgelaufen$"))
    expect(first.get_by_text("Ihre Sitzung ist wegen Inaktivität abgelaufen.")).to_be_visible()
    e2e.assert_clean_console()
