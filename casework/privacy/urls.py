from django.urls import path  # noqa: F401

from casework.privacy import information_views

# Each part of the data-protection feature adds its own lines (erasure, information export, the DPO page).
urlpatterns = []
# Art. 15 information and the page for the data-protection officer (information_views).
urlpatterns += [
    path(
        "organisationen/<int:pk>/auskunft/", information_views.organisation_information, name="information_organisation"
    ),
    path("ansprechpersonen/<int:pk>/auskunft/", information_views.contact_information, name="information_contact"),
    path("datenschutz/", information_views.dpo_page, name="dpo"),
]
# Art. 17 erasure and the deletion periods falling due (views).
from casework.privacy import views as erasure_views  # noqa: E402

urlpatterns += [
    path("ansprechpersonen/<int:pk>/loeschen-art-17/", erasure_views.contact_erase, name="contact_erase"),
    path("organisationen/<int:pk>/anonymisieren/", erasure_views.organisation_anonymise, name="organisation_anonymise"),
    path("loeschfristen/", erasure_views.retention_due, name="retention_due"),
]
