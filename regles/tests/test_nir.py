"""NIR checks: python-stdnum's format and key, plus sex, month, department and order."""

import pytest

from regles.nir import NirInvalide, nir_check, nir_key, nir_mask


@pytest.mark.parametrize(
    "nir",
    [
        "2 95 10 99 126 111 93",  # born abroad (99), spaces allowed
        "295109912611193",
        "253072B07300470",  # Haute-Corse: 2B counts as 18 in the key
        "253072A07300443",  # Corse-du-Sud: 2A counts as 19
        "1 85 05 78 006 084 91",
        "180129750199978",  # Paris-born, order 999
    ],
)
def test_valid_nirs_are_accepted_and_compacted(nir):
    compact = nir_check(nir)
    assert len(compact) == 15 and " " not in compact


def test_key_is_97_minus_body_mod_97():
    assert nir_key("1850578006084") == f"{97 - 1850578006084 % 97:02d}"
    # 2A → 19 and 2B → 18 before the modulo
    assert nir_key("253072A073004") == f"{97 - 2530719073004 % 97:02d}"
    assert nir_key("253072B073004") == f"{97 - 2530718073004 % 97:02d}"


def test_wrong_key_is_refused_with_an_actionable_message():
    with pytest.raises(NirInvalide, match="clé"):
        nir_check("295109912611199")


def test_corsican_nir_with_the_other_corsican_key_is_refused():
    # Same digits, 2A instead of 2B: the key no longer matches.
    with pytest.raises(NirInvalide, match="clé"):
        nir_check("253072A07300470")


@pytest.mark.parametrize("sexe", ["0", "5", "6", "9"])
def test_impossible_sex_digit_is_refused(sexe):
    body = f"{sexe}850578006084"
    with pytest.raises(NirInvalide, match="sexe"):
        nir_check(body + nir_key(body))


@pytest.mark.parametrize("sexe", ["3", "4", "7", "8"])
def test_provisional_and_temporary_sex_digits_are_accepted(sexe):
    body = f"{sexe}850578006084"
    assert nir_check(body + nir_key(body))


@pytest.mark.parametrize("mois", ["00", "13", "19", "43", "49"])
def test_impossible_month_is_refused(mois):
    body = f"185{mois}78006084"
    with pytest.raises(NirInvalide, match="mois"):
        nir_check(body + nir_key(body))


@pytest.mark.parametrize("mois", ["01", "12", "20", "42", "50", "99"])
def test_unknown_month_codes_are_accepted(mois):
    body = f"185{mois}78006084"
    assert nir_check(body + nir_key(body))


def test_department_00_is_refused():
    body = "1850500006084"
    with pytest.raises(NirInvalide, match="département"):
        nir_check(body + nir_key(body))


def test_order_000_is_refused():
    body = "1850578006000"
    with pytest.raises(NirInvalide, match="ordre"):
        nir_check(body + nir_key(body))


@pytest.mark.parametrize("value", ["", "12345", "1850578006084911"])
def test_wrong_length_says_how_many_characters(value):
    with pytest.raises(NirInvalide, match="15 caractères"):
        nir_check(value)


def test_letters_are_refused():
    with pytest.raises(NirInvalide, match="chiffres"):
        nir_check("1850578A0608491")


def test_mask_keeps_only_sex_and_key():
    assert nir_mask("185057800608491") == "1 •• •• •• ••• ••• 91"
