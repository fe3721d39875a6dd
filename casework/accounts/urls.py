"""URLs of the accounts feature."""

from django.urls import path

from casework.accounts import views
from casework.accounts.people import views as people

urlpatterns = [
    path("sitzung/verlaengern/", views.session_keepalive, name="session_keepalive"),
    path("konto/einstellungen/", views.account_settings, name="account_settings"),
    path("personen/", people.people_list, name="people_list"),
    path("personen/einladen/", people.person_invite, name="person_invite"),
    path("personen/<int:pk>/rollen/", people.person_roles, name="person_roles"),
    path("personen/<int:pk>/deaktivieren/", people.person_deactivate, name="person_deactivate"),
    path("personen/<int:pk>/reaktivieren/", people.person_reactivate, name="person_reactivate"),
    path("personen/<int:pk>/erneut-einladen/", people.person_reinvite, name="person_reinvite"),
    path("konto/einladung/<uidb64>/<token>/", people.InvitationAcceptView.as_view(), name="invitation_accept"),
]
