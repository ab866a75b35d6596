"""Loading the prestation nomenclature: every code mapped to a poste, idempotent, all or nothing."""

import pytest
from django.core.management import CommandError, call_command

from mutuelle.referentiel.models import NaturePrestation
from regles.nomenclature import DATA_DIR, load_poste_rules, poste_for, split_b2
from regles.postes import Poste

pytestmark = pytest.mark.django_db


def test_the_whole_nomenclature_loads_once():
    call_command("load_nature_prestation")
    # The Sécu's 1,348 codes and the mutuelle's 5 for care it alone pays (osteopathy…).
    assert NaturePrestation.objects.count() == 1348 + 5
    call_command("load_nature_prestation")
    assert NaturePrestation.objects.count() == 1348 + 5
    osteopathie = NaturePrestation.objects.get(code_b2="OST")
    assert (osteopathie.code, osteopathie.poste, osteopathie.source) == (
        99101,
        Poste.MEDECINES_DOUCES,
        "Mutuelle (hors nomenclature)",
    )
    assert NaturePrestation.objects.filter(source="IR_NAT_V 2020-12").count() == 1348


def test_a_code_of_the_mutuelle_cannot_take_a_code_or_key_of_the_secu(monkeypatch, tmp_path):
    import shutil

    from regles import nomenclature

    data = tmp_path / "data"
    shutil.copytree(nomenclature.DATA_DIR, data)
    with (data / "hors_nomenclature.csv").open("a", encoding="utf-8") as handle:
        handle.write("99106;PH7;DOUBLON;\n")
    monkeypatch.setattr(nomenclature, "DATA_DIR", data)
    nomenclature.natures.cache_clear()
    try:
        with pytest.raises(nomenclature.NomenclatureError, match="99106 \\(PH7\\) existe déjà"):
            nomenclature.natures()
    finally:
        nomenclature.natures.cache_clear()


@pytest.mark.parametrize(
    ("code", "poste"),
    [
        (1110, Poste.CONSULTATION_GENERALISTE),
        (1109, Poste.CONSULTATION_GENERALISTE),
        (1112, Poste.CONSULTATION_SPECIALISTE),
        (1103, Poste.CONSULTATION_SPECIALISTE),
        (3313, Poste.PHARMACIE_65),
        (3312, Poste.PHARMACIE_30),
        (3341, Poste.PHARMACIE_15),
        (3311, Poste.PHARMACIE_100),
        (3111, Poste.AUXILIAIRES_MEDICAUX),
        (3211, Poste.LABORATOIRE),
        (3506, Poste.OPTIQUE_MONTURE_100_SANTE),
        (3563, Poste.OPTIQUE_MONTURE),
        (3504, Poste.OPTIQUE_VERRES),
        (1417, Poste.DENTAIRE_PROTHESE_100_SANTE),
        (1408, Poste.DENTAIRE_PROTHESE_TARIF_MAITRISE),
        (1476, Poste.DENTAIRE_PROTHESE_TARIF_LIBRE),
        (1433, Poste.DENTAIRE_SOINS),
        (3540, Poste.AUDIO_CLASSE_1),
        (3541, Poste.AUDIO_CLASSE_2),
        (2251, Poste.FORFAIT_JOURNALIER),
        (2221, Poste.CHAMBRE_PARTICULIERE),
        (1321, Poste.ACTES_TECHNIQUES),
        (1331, Poste.IMAGERIE),
        (6110, Poste.AUTRE),
    ],
)
def test_common_codes_map_to_their_poste(code, poste):
    call_command("load_nature_prestation")
    assert NaturePrestation.objects.get(code=code).poste == poste


def test_multi_key_b2_codes_are_split():
    assert split_b2("PH4/PG4") == ["PH4", "PG4"]
    assert split_b2("ZM DEPISTAGE/ADI") == ["ZM", "ADI"]
    rules = load_poste_rules(DATA_DIR / "postes_nature.yaml")
    assert poste_for(3312, "PH4/PG4", rules) == Poste.PHARMACIE_30


def test_manual_codes_are_kept_and_loaded_codes_refreshed():
    call_command("load_nature_prestation")
    NaturePrestation.objects.create(
        code=99999,
        code_b2="NEW",
        libelle="Code ouvert en 2026",
        poste=Poste.PREVENTION,
        source="manuel",
    )
    NaturePrestation.objects.filter(code=1110).update(poste=Poste.AUTRE)
    call_command("load_nature_prestation")
    assert NaturePrestation.objects.get(code=99999).poste == Poste.PREVENTION
    assert NaturePrestation.objects.get(code=1110).poste == Poste.CONSULTATION_GENERALISTE


def test_a_defective_file_names_line_and_field_and_writes_nothing(tmp_path):
    bad = tmp_path / "IR_NAT_V.csv"
    bad.write_text("PRS_NAT;PRS_NAT_CB2;PRS_NAT_LIB\n1110;G;CONSULTATION\nabc;X;MAUVAIS\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"ligne 3, champ PRS_NAT : nombre entier attendu"):
        call_command("load_nature_prestation", "--csv", str(bad))
    assert NaturePrestation.objects.count() == 0


def test_a_file_without_the_expected_columns_is_refused(tmp_path):
    bad = tmp_path / "autre.csv"
    bad.write_text("CODE;LIBELLE\n1;X\n", encoding="utf-8")
    with pytest.raises(CommandError, match="colonnes manquantes"):
        call_command("load_nature_prestation", "--csv", str(bad))


def test_a_missing_file_is_reported():
    with pytest.raises(CommandError, match="introuvable"):
        call_command("load_nature_prestation", "--csv", "/nonexistent/file.csv")
