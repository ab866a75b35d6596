"""`manage.py noemie_generate` writes a valid file for the database's beneficiaries."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mutuelle.members.models import Beneficiaire
from noemie.fichier import DecompteLu, lire

pytestmark = pytest.mark.django_db


def test_a_generated_file_is_valid_and_names_only_known_beneficiaries(contrat, autre_adherent, tmp_path, mutuelle):
    out = tmp_path / "flux.txt"
    call_command(
        "noemie_generate",
        "--out",
        str(out),
        "--lines",
        "120",
        "--seed",
        "4",
        "--du",
        "2025-01-01",
        "--au",
        "2025-06-30",
        stdout=StringIO(),
    )
    known = set(Beneficiaire.objects.values_list("nir", "rang_gemellaire"))
    with out.open("rb") as handle:
        items = list(lire(handle))
    entete, fin = items[0], items[-1]
    assert entete["FLX_DST_NUM"] == int(mutuelle.numero_amc)
    assert fin["NBR_ACT"] == 120
    for decompte in items[1:-1]:
        assert isinstance(decompte, DecompteLu)
        for beneficiaire in decompte.beneficiaires:
            rec = beneficiaire.enregistrement
            assert (rec["BEN_NIR"], rec["BEN_RNG_GEM"]) in known
    assert not (tmp_path / "flux.txt.partiel").exists()


def test_unknown_share_adds_beneficiaries_the_mutuelle_does_not_know(contrat, tmp_path):
    out = tmp_path / "flux.txt"
    call_command("noemie_generate", "--out", str(out), "--lines", "300", "--inconnus", "0.5", stdout=StringIO())
    known = set(Beneficiaire.objects.values_list("nir", flat=True))
    with out.open("rb") as handle:
        nirs = [b.enregistrement["BEN_NIR"] for d in lire(handle) if isinstance(d, DecompteLu) for b in d.beneficiaires]
    assert any(n not in known for n in nirs)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lines", "0"], "au moins 1"),
        (["--lines", "5", "--inconnus", "2"], "entre 0 et 1"),
        (["--lines", "5", "--du", "2025-06-01", "--au", "2025-01-01"], "précéder"),
    ],
)
def test_bad_arguments_are_refused(contrat, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("noemie_generate", "--out", str(tmp_path / "f.txt"), *args)


def test_without_a_mutuelle_it_says_what_to_run(db, tmp_path):
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("noemie_generate", "--out", str(tmp_path / "f.txt"), "--lines", "5")


def test_files_generated_one_after_the_other_are_each_new_to_the_mutuelle(contrat, autre_adherent, tmp_path, mutuelle):
    """As documented, with no --sequence nor --seed: each file is the issuer's next one and brings new
    décomptes, so each is integrated (none refused as « déjà reçu », none of its acts skipped)."""
    from mutuelle.claims.models import FichierNoemie, LigneRemboursement
    from mutuelle.claims.services import noemie_integrer

    sortie = StringIO()
    for rang in (1, 2):
        chemin = tmp_path / f"flux{rang}.txt"
        call_command("noemie_generate", "--out", str(chemin), "--lines", "40", stdout=sortie)
        assert f"séquence {rang})" in sortie.getvalue()
        resultat = noemie_integrer(path=chemin)
        assert resultat.status == "ingested", resultat
    assert list(FichierNoemie.objects.order_by("sequence").values_list("sequence", flat=True)) == [1, 2]
    assert LigneRemboursement.objects.count() == 80
