"""Choice fields that label catalogue entries and organisations the same way in every form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from organisations.labels import organisation_label


class TopicChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, topic):
        if topic.unit_id is None:
            return "{} ({})".format(topic.name, _("gemeinsam"))
        return topic.name


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, organisation):
        return organisation_label(organisation)
