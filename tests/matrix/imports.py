"""Permission-matrix rows for the import screens (see tests/matrix/__init__.py).

Importing is for coordinators of a unit and administrators. An upload between the steps is seen only by the
person who uploaded it (here MO's coordinator): everyone else gets 404, administrators too. An import run
in the history belongs to its unit (here MO). POSTs, including the denied ones, are tested in
tests/casework/imports/test_views_permissions.py.
"""

import hashlib

from django.contrib.auth import get_user_model

from casework.imports.models import ImportRun, ImportUpload
from casework.models import Unit
from tests.matrix import COORDINATORS, LOGIN, row

OWNER_ONLY = row(LOGIN, 403, 200, 403, 404, 404)
RUN_OF_MO = row(LOGIN, 403, 200, 403, 404, 200)
POST_ONLY = row(LOGIN, 405, 405, 405, 405, 405)

CSV = b"Name;Rechtsform;Kreis\nKulturverein Matrix e. V.;eingetragener Verein (e. V.);Kasel (Stadt)\n"


def _upload(_pk):
    upload = ImportUpload.objects.create(
        owner=get_user_model().objects.get(username="koordination-mo"),
        unit=Unit.objects.get(code="mo"),
        kind="organisations",
        filename="matrix.csv",
        sha256=hashlib.sha256(CSV).hexdigest(),
        data=CSV,
        row_count=1,
        mapping={"0": "name", "1": "legal_form", "2": "region"},
    )
    return {"pk": upload.pk}


def _run(_pk):
    run = ImportRun.objects.create(
        unit=Unit.objects.get(code="mo"),
        kind="organisations",
        filename="matrix.csv",
        sha256="0" * 64,
        created_by_name="Koordination MO",
        counts={"new": 0, "update": 0, "unchanged": 0},
    )
    return {"pk": run.pk}


ROWS = {
    "casework:import_start": (None, {"-": COORDINATORS}),
    "casework:import_template": (None, {"-": COORDINATORS}),
    "casework:import_history": (None, {"-": COORDINATORS}),
    "casework:import_undo": (None, {"-": RUN_OF_MO}),
    "casework:import_mapping": (None, {"-": OWNER_ONLY}),
    "casework:import_mapping_apply": (None, {"-": POST_ONLY}),
    "casework:import_values": (None, {"-": OWNER_ONLY}),
    "casework:import_preview": (None, {"-": OWNER_ONLY}),
    "casework:import_confirm": (None, {"-": POST_ONLY}),
    "casework:import_status": (None, {"-": OWNER_ONLY}),
    "casework:import_progress": (None, {"-": OWNER_ONLY}),
}

URL_KWARGS = {
    "casework:import_template": {"kind": "organisations"},
    "casework:import_undo": _run,
    "casework:import_mapping": _upload,
    "casework:import_mapping_apply": _upload,
    "casework:import_values": _upload,
    "casework:import_preview": _upload,
    "casework:import_confirm": _upload,
    "casework:import_status": _upload,
    "casework:import_progress": _upload,
}
