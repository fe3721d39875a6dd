"""Events the access log hears about through Django's signals: sign-in and sign-out, and changes to accounts.

Connected once by casework.apps (`connect()`). Account changes are caught on the User model and its
group and permission relations, so the Django admin, the tool's own account screens and the shell
are all covered; only QuerySet.update() bypasses signals (features doing that call record() themselves).

`detail` holds codes, never names: see casework.audit.details for their German reading.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save

from casework.audit.log import append, current_request, record
from casework.audit.models import AccessEvent

# Flags whose change is a change of rights; each is recorded as "<flag>:0|1".
TRACKED_FLAGS = ("is_active", "is_staff", "is_superuser")
NEW_ACCOUNT = {"is_active": True, "is_staff": False, "is_superuser": False}
SNAPSHOT = "_audit_flags"


def signed_in(sender, request, user, **kwargs):
    record(AccessEvent.Kind.SIGN_IN, request=request, user=user)


def signed_out(sender, request, user, **kwargs):
    if user is not None:  # logging out without being signed in is no event
        record(AccessEvent.Kind.SIGN_OUT, request=request, user=user)


def sign_in_failed(sender, credentials, request=None, **kwargs):
    """A failed or refused sign-in. Nobody is signed in: the account tried is the target, not the person.

    A name that is no account is not stored (people type their password into the name field), only
    "unknown_username". django-axes counts failures first (its receiver is connected earlier) and marks
    the request `axes_locked_out` when this attempt was refused or caused the lock: "locked_out".
    """
    User = get_user_model()
    username = credentials.get(User.USERNAME_FIELD)
    lookup = isinstance(username, str) and username and "\x00" not in username  # NUL: PostgreSQL refuses it
    account = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first() if lookup else None
    codes = [] if account else ["unknown_username"]
    if request is not None and getattr(request, "axes_locked_out", False):
        codes.append("locked_out")
    record(
        AccessEvent.Kind.SIGN_IN_FAILED,
        request=request,
        target_kind="user",
        target_id=str(account.pk) if account else "",
        detail=" ".join(codes),
    )


def remember_flags(sender, instance, **kwargs):
    """What the rights flags were when the account was loaded: compared on save, without a query."""
    # Deferred fields are missing from __dict__: never touch them here (that would query).
    instance.__dict__[SNAPSHOT] = {flag: instance.__dict__[flag] for flag in TRACKED_FLAGS if flag in instance.__dict__}


def account_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw:  # loading fixtures
        return
    before = instance.__dict__.get(SNAPSHOT, {})
    saved = set(TRACKED_FLAGS) if update_fields is None else set(update_fields)
    if created:
        # A new account's flags are named where they differ from a plain, active account.
        codes = ["created"] + [
            f"{flag}:{int(value)}" for flag in TRACKED_FLAGS if (value := getattr(instance, flag)) != NEW_ACCOUNT[flag]
        ]
    else:
        codes = [
            f"{flag}:{int(getattr(instance, flag))}"
            for flag in TRACKED_FLAGS
            if flag in saved and flag in before and before[flag] != getattr(instance, flag)
        ]
        # set_password() keeps the new password in `_password` until the save (for the password
        # validators); a silent rehash on sign-in (check_password) clears it first: not a change.
        if getattr(instance, "_password", None) is not None and (update_fields is None or "password" in saved):
            codes.append("password")
    instance.__dict__[SNAPSHOT] = {
        **before,
        **{flag: instance.__dict__[flag] for flag in TRACKED_FLAGS if flag in saved and flag in instance.__dict__},
    }
    if codes:
        _account_event(target_id=instance.pk, detail=" ".join(codes))


def account_deleted(sender, instance, **kwargs):
    _account_event(target_id=instance.pk, detail="deleted")


def relations_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Groups (roles) or single permissions of accounts added or removed, from either side of the relation."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    relation = "groups" if sender is get_user_model().groups.through else "permissions"
    sign = "+" if action == "post_add" else "-"
    if not reverse:  # user.groups.add(…): one entry for the account
        ids = "*" if action == "post_clear" else ",".join(str(pk) for pk in sorted(pk_set or ()))
        if ids:
            _account_event(target_id=instance.pk, detail=f"{relation}{sign}:{ids}")
        return
    if action == "post_clear":  # group.user_set.clear(): who was in it is gone; the group is the target
        _account_event(target_kind=instance._meta.model_name, target_id=instance.pk, detail="members-:*")
        return
    for user_pk in sorted(pk_set or ()):  # group.user_set.add(…): one entry per account
        _account_event(target_id=user_pk, detail=f"{relation}{sign}:{instance.pk}")


def _account_event(*, target_id, detail, target_kind="user"):
    request = current_request.get()
    actor = getattr(request, "user", None) if request is not None else None
    actor = actor if actor is not None and actor.is_authenticated else None
    if actor is not None and target_kind == "user" and str(actor.pk) == str(target_id) and detail == "deleted":
        # A person deleting their own account: a reference to it would break the deletion's commit.
        actor = None
    append(
        AccessEvent.Kind.ACCOUNT,
        request=request,
        user=actor,
        target_kind=target_kind,
        target_id=str(target_id),
        detail=detail,
    )


def connect():
    User = get_user_model()
    uid = "casework.audit."
    user_logged_in.connect(signed_in, dispatch_uid=uid + "signed_in")
    user_logged_out.connect(signed_out, dispatch_uid=uid + "signed_out")
    user_login_failed.connect(sign_in_failed, dispatch_uid=uid + "sign_in_failed")
    post_init.connect(remember_flags, sender=User, dispatch_uid=uid + "remember_flags")
    post_save.connect(account_saved, sender=User, dispatch_uid=uid + "account_saved")
    post_delete.connect(account_deleted, sender=User, dispatch_uid=uid + "account_deleted")
    for through in (User.groups.through, User.user_permissions.through):
        m2m_changed.connect(relations_changed, sender=through, dispatch_uid=uid + through.__name__)
