"""All casework URLs under the `casework` namespace; each feature lists its own patterns."""

from casework.accounts import urls as accounts
from casework.audit import urls as audit
from casework.cases import urls as cases
from casework.consultations import urls as consultations
from casework.dashboard import urls as dashboard
from casework.dossiers import urls as dossiers
from casework.events import urls as events
from casework.exports import urls as exports
from casework.follow_ups import urls as follow_ups
from casework.guides import urls as guides
from casework.home import urls as home
from casework.imports import urls as imports
from casework.privacy import urls as privacy
from casework.quality import urls as quality
from casework.search import urls as search

app_name = "casework"
urlpatterns = [
    *home.urlpatterns,
    *consultations.urlpatterns,
    *cases.urlpatterns,
    *quality.urlpatterns,
    *follow_ups.urlpatterns,
    *events.urlpatterns,
    *dashboard.urlpatterns,
    *search.urlpatterns,
    *accounts.urlpatterns,
    *privacy.urlpatterns,
    *audit.urlpatterns,
    *exports.urlpatterns,
    *dossiers.urlpatterns,
    *imports.urlpatterns,
    *guides.urlpatterns,
]
