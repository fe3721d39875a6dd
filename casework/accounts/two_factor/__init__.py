"""Second factor (ASVS 6.3.3): authenticator apps (TOTP), passkeys (WebAuthn) and one-time backup codes.

Built on django-otp (TOTP and static devices, throttling) and django-otp-webauthn (passkeys). Who must
have a second factor is the TWO_FACTOR_POLICY setting (`policy`); `middleware.SecondFactorMiddleware`
keeps a signed-in person on the second step, or on enrolment, until it is done.
"""
