"""Service levels in one table (core.delais): every queue has one, supervisors change it in the admin,
and what a request or a message is due by follows it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from mutuelle.backoffice.files import FILES
from mutuelle.core.calendrier import jours_ouvres_apres
from mutuelle.core.delais import NIVEAUX, delai
from mutuelle.core.models import ReglageFile
from mutuelle.core.presets import PRESETS
from mutuelle.requests.genres import GENRES
from mutuelle.requests.models import TypeDemande


def test_every_queue_and_every_kind_of_request_has_a_service_level() -> None:
    assert set(FILES) <= set(NIVEAUX)
    assert set(GENRES) == set(TypeDemande.values)
    assert {genre.file for genre in GENRES.values()} <= set(FILES)


@pytest.mark.django_db
def test_a_supervisors_level_replaces_the_default_for_the_queue_and_what_comes_in(adherent: Any) -> None:
    from mutuelle.messaging.services import fil_creer

    assert delai("messages") == NIVEAUX["messages"].jours == FILES["messages"].delai()
    ReglageFile.objects.create(file="messages", delai_jours=7)
    assert delai("messages") == FILES["messages"].delai() == 7
    assert delai("documents") == NIVEAUX["documents"].jours  # the others keep theirs
    fil = fil_creer(
        adherent=adherent, sujet="autre", objet="Une question", texte="Bonjour", envois=[], par=adherent.user
    )
    assert fil.echeance == jours_ouvres_apres(timezone.localdate(), 7)


def test_a_level_outside_one_to_sixty_days_or_of_no_queue_is_refused() -> None:
    from django.core.exceptions import ValidationError

    for file, jours in (("messages", 0), ("messages", 61), ("inconnue", 3)):
        with pytest.raises(ValidationError):
            ReglageFile(file=file, delai_jours=jours).clean_fields()


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_due_date_the_mutuelles_settings_gave() -> None:
    """Before: the mutuelle held two levels (prises en charge, documents); the queues' rows were in
    backoffice. After: one table, and each request queue's row is the level its requests really got."""
    executor = MigrationExecutor(connection)
    avant = [("core", "0006_journaux_ajout_seul"), ("backoffice", "0002_modifications_proposees")]
    apres = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(avant)
        anciens = executor.loader.project_state(avant).apps
        preset = {k: v for k, v in PRESETS["tilleuls"].items() if k != "politique_connexion"}
        anciens.get_model("core", "Mutuelle").objects.create(
            **preset, delai_prise_en_charge_jours=7, delai_documents_jours=3
        )
        anciens.get_model("backoffice", "ReglageFile").objects.create(file="revue", delai_jours=4)
        anciens.get_model("backoffice", "ReglageFile").objects.create(file="contestations", delai_jours=6)

        executor = MigrationExecutor(connection)
        executor.migrate(apres)
        nouveaux = executor.loader.project_state(apres).apps
        reglages = dict(nouveaux.get_model("core", "ReglageFile").objects.values_list("file", "delai_jours"))
        assert reglages == {
            "revue": 4,
            "contestations": 10,  # what contestations always got, whatever the row said
            "prises_en_charge": 7,
            **dict.fromkeys(["documents", "feuilles_soins", "rib", "modifications", "contrats"], 3),
        }

        executor = MigrationExecutor(connection)
        executor.migrate(avant)  # and back
        anciens = executor.loader.project_state(avant).apps
        mutuelle = anciens.get_model("core", "Mutuelle").objects.get()
        assert (mutuelle.delai_prise_en_charge_jours, mutuelle.delai_documents_jours) == (7, 3)
        assert anciens.get_model("backoffice", "ReglageFile").objects.get(file="revue").delai_jours == 4
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(apres)
