from django.urls import path

from organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("neu/", views.organisation_create, name="organisation_create"),
    path("auswahl/", views.organisation_picker, name="picker"),
    path("aehnliche/", views.organisation_similar, name="similar"),
    path("<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("<int:pk>/bearbeiten/", views.organisation_edit, name="organisation_edit"),
    path("<int:pk>/zusammenfuehren/", views.organisation_merge, name="organisation_merge"),
    path("<int:pk>/ansprechpersonen/neu/", views.contact_create, name="contact_create"),
    path("ansprechpersonen/<int:pk>/bearbeiten/", views.contact_edit, name="contact_edit"),
    path("ansprechpersonen/<int:pk>/loeschen/", views.contact_delete, name="contact_delete"),
]
