"""What `seed_demo` prints about the second factor under the policy in force."""

from django.conf import settings

from casework.accounts.two_factor import policy


def enrolment_note() -> list[str]:
    current = settings.TWO_FACTOR_POLICY
    if current == policy.OPTIONAL:
        first = "Zweiter Faktor: freiwillig (TWO_FACTOR_POLICY=optional). Ausprobieren:"
    elif current == policy.COORDINATORS:
        first = "Zweiter Faktor: Pflicht für Koordination und Administration (TWO_FACTOR_POLICY=coordinators):"
    else:
        first = "Zweiter Faktor: Pflicht für alle (TWO_FACTOR_POLICY=required):"
    return [
        "",
        first,
        "  anmelden → Name oben rechts → „Meine Einstellungen“ → „Zweiten Faktor verwalten“ →",
        "  „Authenticator-App einrichten“ (QR-Code mit FreeOTP, Aegis o. Ä. scannen, Code eingeben) –",
        "  danach zehn Backup-Codes notieren. Passkeys gehen in der Demo nur unter http://localhost:8000.",
        "  Wer einen zweiten Faktor eingerichtet hat, wird nach dem Passwort danach gefragt.",
    ]
