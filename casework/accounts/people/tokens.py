"""One-time links for invitations: Django's password-reset token with its own salt and lifetime.

The token hashes the password, the last sign-in, the e-mail address and whether the account is active,
so it stops working once a password is set (used once), when the person is deactivated, and after
settings.INVITATION_TIMEOUT. Its own salt keeps a password-reset link from serving as an invitation.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "casework.accounts.people.tokens.InvitationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"

    def check_token(self, user, token):
        # Django's check compares the age with PASSWORD_RESET_TIMEOUT; an invitation has its own lifetime.
        if not (user and token):
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if self._num_seconds(self._now()) - timestamp > settings.INVITATION_TIMEOUT:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


invitation_token_generator = InvitationTokenGenerator()
