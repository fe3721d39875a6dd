import datetime

import factory
from django.contrib.auth import get_user_model

from casework.consultations import services
from casework.models import Consultation, Topic, Unit
from organisations.models import Organisation, Region


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Verein Nummer {n} e.V.")
    kind = Organisation.Kind.MIGRANT_ORGANISATION
    legal_form = Organisation.LegalForm.REGISTERED_ASSOCIATION
    region = factory.LazyFunction(lambda: Region.objects.get(name="Frankfurt am Main"))
    municipality = "Frankfurt am Main"

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if create and extracted:
            self.units.set(extracted)


class ConsultationFactory(factory.django.DjangoModelFactory):
    """Builds consultations through the service, so sharing grants exist as in production."""

    class Meta:
        model = Consultation

    unit = factory.LazyFunction(lambda: Unit.objects.get(code="mo"))
    organisation = factory.SubFactory(OrganisationFactory)
    date = datetime.date(2026, 3, 2)
    duration_minutes = 90
    format = Consultation.Format.OFFICE
    initiated_by = Consultation.Initiator.ORGANISATION
    participants = 2
    summary = "Satzungsentwurf besprochen."
    agreements = "Entwurf bis Monatsende an das Amtsgericht."

    @classmethod
    def _create(cls, model_class, *args, advisors=(), topics=None, **kwargs):
        consultation = model_class(**kwargs)
        if topics is None:
            topics = list(Topic.objects.filter(unit=consultation.unit)[:1])
        return services.consultation_save(consultation=consultation, by=None, topics=topics, advisors=advisors)
