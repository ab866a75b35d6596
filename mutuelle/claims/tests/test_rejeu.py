"""The same acts under another sequence number: received once, paid once.

The attack: an integrated file whose header's sequence number (``FLX_EMT_ORD``) alone is changed was
integrated again and its lines paid a second time. Whatever file carries it, an act (issuer, décompte
number, line number, beneficiary, date of care) is integrated once; the copies become signalements
« déjà reçu », and a database constraint refuses a second line with the same key.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

from mutuelle.claims.models import Decompte, FichierNoemie, LigneRemboursement, MotifRejet, RejetNoemie, Statut
from mutuelle.claims.selectors import personnes_connues
from mutuelle.claims.services import noemie_integrer
from mutuelle.claims.tests.helpers import acte, decompte, write
from mutuelle.payments.services import lignes_a_payer
from noemie.generateur import Generateur
from noemie.layout import encoder, layout

pytestmark = pytest.mark.django_db


def resequencer(source: Path, cible: Path, sequence: int) -> Path:
    """A byte-for-byte copy of a NOEMIE file but for its header's sequence number."""
    champ = next(c for c in layout().enregistrements["000"].champs if c.nom == "FLX_EMT_ORD")
    lignes = source.read_text(encoding="ascii").split("\n")
    entete = lignes[0]
    lignes[0] = entete[: champ.debut] + encoder(champ, sequence) + entete[champ.fin :]
    assert lignes[0] != entete and len(lignes[0]) == len(entete)
    cible.write_text("\n".join(lignes), encoding="ascii")
    return cible


def test_a_resequenced_copy_of_an_integrated_file_integrates_and_pays_nothing_again(
    contrat, autre_adherent, garanties, tmp_path, mutuelle
):
    original = tmp_path / "flux-0007.txt"
    with original.open("w", encoding="ascii") as handle:
        Generateur(personnes_connues(), seed=4, debut=date(2025, 1, 1), fin=date(2025, 6, 30)).ecrire(
            handle, lignes=300, emetteur=691000001, amc=int(mutuelle.numero_amc), sequence=7, cree_le=date(2025, 7, 1)
        )
    premier = noemie_integrer(path=original)
    assert premier.status == "ingested" and premier.lignes > 200
    lignes, decomptes = LigneRemboursement.objects.count(), Decompte.objects.count()
    a_payer = set(lignes_a_payer().values_list("pk", flat=True))
    assert a_payer

    copie = noemie_integrer(path=resequencer(original, tmp_path / "flux-0008.txt", 8))

    assert copie.status == "ingested" and copie.lignes == 0
    assert LigneRemboursement.objects.count() == lignes
    deja = RejetNoemie.objects.filter(fichier__sequence=8, motif=MotifRejet.DEJA_RECU)
    assert deja.count() == premier.lignes
    assert "déjà intégré" in deja.first().detail and "flux-0007.txt" in deja.first().detail
    # The replay's unknown beneficiaries are reported again as such; no décompte of known acts is stored twice.
    assert copie.rejets == premier.lignes + premier.rejets
    assert Decompte.objects.count() - decomptes == len(
        set(
            RejetNoemie.objects.filter(fichier__sequence=8)
            .exclude(motif=MotifRejet.DEJA_RECU)
            .values_list("decompte_numero")
        )
    )
    # The next payment run pays exactly what it would have paid without the copy.
    assert set(lignes_a_payer().values_list("pk", flat=True)) == a_payer
    assert FichierNoemie.objects.get(sequence=8).nb_lignes == 0


def test_a_new_file_carrying_an_old_decompte_integrates_only_what_is_new(camille, garanties, tmp_path):
    noemie_integrer(path=write(tmp_path, [decompte(camille, [acte()], numero=41)], sequence=1, name="a.txt"))
    suivant = write(
        tmp_path,
        [
            decompte(camille, [acte()], numero=41),
            decompte(camille, [acte(EXE_SOI_DTD=date(2025, 3, 4), EXE_SOI_DTF=date(2025, 3, 4))], numero=42),
        ],
        sequence=2,
        name="b.txt",
    )
    resultat = noemie_integrer(path=suivant)
    assert (resultat.lignes, resultat.rejets) == (1, 1)
    assert list(
        LigneRemboursement.objects.filter(decompte__fichier__nom="b.txt").values_list("decompte__numero", flat=True)
    ) == [42]
    assert RejetNoemie.objects.get(fichier__nom="b.txt").motif == MotifRejet.DEJA_RECU


def test_a_file_that_repeats_a_decompte_number_is_rejected_whole(camille, garanties, tmp_path):
    # It crashed the ingestion on the décomptes' unique constraint, leaving the file half-open.
    doublon = [decompte(camille, [acte(1)], numero=5), decompte(camille, [acte(2)], numero=5)]
    resultat = noemie_integrer(path=write(tmp_path, doublon, sequence=3))
    assert resultat.status == "rejected"
    assert resultat.errors[0]["field"] == "DCT_ORD_NUM" and "déjà présent plus haut dans ce fichier" in resultat.message
    assert not LigneRemboursement.objects.exists() and not Decompte.objects.exists()


def test_the_database_refuses_a_second_line_for_an_act_already_received(camille, garanties, tmp_path):
    noemie_integrer(path=write(tmp_path, [decompte(camille, [acte()], numero=9)], sequence=4))
    ligne = LigneRemboursement.objects.get()
    assert ligne.cle_noemie == f"691000001.9.1.{camille.pk}.20250303"
    autre = Decompte.objects.create(fichier=ligne.decompte.fichier, numero=10)
    copie = LigneRemboursement.objects.get(pk=ligne.pk)
    copie.pk, copie.decompte, copie.statut = None, autre, Statut.VALIDE
    with pytest.raises(IntegrityError), transaction.atomic():
        copie.save(force_insert=True)
    # Lines that come from elsewhere (paper claims, régularisations) carry no key and are not concerned.
    assert LigneRemboursement.objects.filter(cle_noemie="").count() == 0
