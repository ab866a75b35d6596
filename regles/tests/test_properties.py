"""Properties that hold for any act: bounded by what was spent, never negative, a contrat responsable
never pays the participation forfaitaire or franchises, and the engine is deterministic."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from regles.moteur import Acte, Beneficiaire, Garantie, Moteur, Praticien, TypeGarantie

CODES = [
    "G",
    "GS",
    "CS",
    "PH7",
    "PH4",
    "PH2",
    "PH1",
    "AMI",
    "B",
    "ADC",
    "ADI",
    "SC",
    "PFC",
    "CZ0",
    "VU1",
    "M03",
    "PAU",
    "PAZ",
    "FJ",
    "SHO",
    "TXI",
    "LEN",
    "GHS",
]
MOTEUR = Moteur()

money = st.decimals(min_value=Decimal("0"), max_value=Decimal("3000"), places=2, allow_nan=False, allow_infinity=False)
percent = st.decimals(min_value=Decimal("0"), max_value=Decimal("600"), places=0)

garanties = st.one_of(
    st.none(),
    st.builds(
        Garantie,
        type=st.sampled_from(list(TypeGarantie)),
        taux=percent,
        montant=money,
        plafond=st.one_of(st.none(), money),
        deja_consomme=money,
        delai_stage_mois=st.integers(0, 6),
        date_adhesion=st.one_of(st.none(), st.dates(date(2019, 1, 1), date(2026, 12, 31))),
        derniere_prise_en_charge=st.one_of(st.none(), st.dates(date(2019, 1, 1), date(2026, 12, 31))),
    ),
)


@st.composite
def actes(draw: st.DrawFn) -> Acte:
    code = draw(st.sampled_from(CODES))
    on = draw(st.dates(date(2019, 1, 1), date(2026, 12, 31)))
    spent = draw(money)
    has_tariff = (
        code in {"G", "GS"}
        or (code == "CS" and on >= date(2024, 12, 22))
        or (code == "PAZ" and on >= date(2021, 1, 1))
        or code in {"FJ", "SHO"}
    )
    base = draw(st.one_of(st.none(), money)) if has_tariff else draw(money)
    return Acte(
        date_soins=on,
        code=code,
        montant_depense=spent,
        base_remboursement=base,
        taux_amo=draw(st.one_of(st.none(), st.decimals(min_value=0, max_value=1, places=2))),
        quantite=draw(st.integers(1, 5)),
        beneficiaire=Beneficiaire(
            age=draw(st.integers(0, 99)),
            ald=draw(st.booleans()),
            css=draw(st.booleans()),
            regime_local=draw(st.booleans()),
        ),
        parcours_soins=draw(st.booleans()),
        praticien=Praticien(
            secteur=draw(st.sampled_from([1, 2, 3])),
            optam=draw(st.booleans()),
            identifiant=draw(st.sampled_from([None, "10000000009", "10000000017"])),
        ),
        hospitalisation=draw(st.booleans()),
        garantie=draw(garanties),
        responsable=draw(st.booleans()),
        classe_optique=draw(st.sampled_from([None, "a", "c", "f"])),
    )


@settings(max_examples=400, deadline=None)
@given(st.lists(actes(), min_size=1, max_size=8))
def test_amounts_are_bounded_non_negative_and_deterministic(batch: list[Acte]) -> None:
    results = MOTEUR.liquider(batch)
    again = MOTEUR.liquider(batch)
    for acte, r, r2 in zip(batch, results, again, strict=True):
        spent = acte.montant_depense
        amounts = [
            r.base_remboursement,
            r.taux_amo,
            r.ticket_moderateur,
            r.montant_amo,
            r.participation_forfaitaire,
            r.franchise,
            r.depassement,
            r.montant_amc,
            r.reste_a_charge,
        ]
        assert all(x >= 0 for x in amounts), r
        assert r.montant_amo + r.montant_amc <= spent
        assert r.montant_amo + r.montant_amc + r.reste_a_charge == spent
        assert all(x == x.quantize(Decimal("0.01")) for x in amounts if x is not r.taux_amo)
        if acte.responsable:
            # PF and franchises stay with the member: the mutuelle never pays them back.
            assert r.reste_a_charge >= r.participation_forfaitaire + r.franchise
        assert (r2.montant_amo, r2.montant_amc, r2.reste_a_charge, [e.explication for e in r2.trace]) == (
            r.montant_amo,
            r.montant_amc,
            r.reste_a_charge,
            [e.explication for e in r.trace],
        )


@settings(max_examples=200, deadline=None)
@given(actes())
def test_every_step_explains_itself_in_french(acte: Acte) -> None:
    (r,) = MOTEUR.liquider([acte])
    assert r.trace and r.trace[-1].regle == "reste"
    for step in r.trace:
        text = step.explication
        assert text and text != step.regle and (text[0].isupper() or text[0].isdigit())
        assert text.endswith(".")


@settings(max_examples=200, deadline=None)
@given(st.lists(actes(), min_size=1, max_size=30))
def test_yearly_caps_are_never_exceeded(batch: list[Acte]) -> None:
    results = MOTEUR.liquider(batch)
    pf: dict[int, Decimal] = {}
    fr: dict[int, Decimal] = {}
    for acte, r in zip(batch, results, strict=True):
        year = acte.date_soins.year
        pf[year] = pf.get(year, Decimal(0)) + r.participation_forfaitaire
        fr[year] = fr.get(year, Decimal(0)) + r.franchise
    assert all(v <= Decimal("50.00") for v in pf.values())
    assert all(v <= Decimal("50.00") for v in fr.values())
