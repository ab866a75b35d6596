"""Payments, exactly once: a run turns validated reimbursements into one SEPA transfer per payee in a
pain.001 file valid against its schema; a second run finds nothing; a crash between the file and its
record is finished by the next run with nobody paid twice; the bank's pain.002 moves the right lines."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from lxml import etree

from mutuelle.claims.models import EvenementLigne, LigneRemboursement, Statut
from mutuelle.core.models import AuditLog
from mutuelle.members.models import CoordonneesBancaires, StatutRib
from mutuelle.notifications.models import Notification
from mutuelle.payments import sepa
from mutuelle.payments.models import LotPaiement, PaiementLigne, StatutLot, StatutVirement, Virement
from mutuelle.payments.services import (
    PaiementImpossible,
    adherents_sans_compte,
    lot_generer,
    lot_preparer,
    montant_en_attente_de_rib,
    paiements_executer,
    retour_integrer,
)
from tests.factories import connecter, ligne_make

NS = {"p": sepa.NS001}
IBAN_CAMILLE = "FR7699999000010000300000357"
IBAN_HUGO = "FR7699999000010000400000470"


def _rib(adherent: Any, iban: str) -> CoordonneesBancaires:
    return CoordonneesBancaires.objects.create(
        adherent=adherent, titulaire=f"{adherent.prenom} {adherent.nom}", iban=iban, bic="", statut=StatutRib.ACTIF
    )


@pytest.fixture
def a_payer(mutuelle: Any, contrat: Any, adherent: Any, autre_adherent: Any) -> dict[str, list[Any]]:
    """Camille's family: three validated lines on two people; Hugo: one; both with a bank account."""
    _rib(adherent, IBAN_CAMILLE)
    _rib(autre_adherent, IBAN_HUGO)
    famille = list(contrat.beneficiaires.order_by("pk"))
    hugo = autre_adherent.contrats.first().beneficiaires.first()
    return {
        "camille": [
            ligne_make(beneficiaire=famille[0], statut=Statut.VALIDE, amc="9.01"),
            ligne_make(beneficiaire=famille[0], statut=Statut.VALIDE, amc="0.99"),
            ligne_make(beneficiaire=famille[1], statut=Statut.VALIDE, amc="7.33"),
        ],
        "hugo": [ligne_make(beneficiaire=hugo, statut=Statut.VALIDE, amc="10.00")],
    }


def _xml(lot: LotPaiement) -> Any:
    return etree.fromstring(lot.contenu.encode())


@pytest.mark.django_db
def test_a_run_makes_one_transfer_per_payee_in_a_file_valid_against_its_schema(
    a_payer: Any, adherent: Any, autre_adherent: Any
) -> None:
    (lot,) = paiements_executer()
    assert lot.statut == StatutLot.GENERE
    assert (lot.nb_virements, lot.nb_lignes, lot.total) == (2, 4, Decimal("27.33"))
    sepa.valider(lot.contenu.encode(), sepa.PAIN001)
    assert lot.sha256 == sepa.empreinte(lot.contenu.encode())
    document = _xml(lot)
    assert document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", namespaces=NS) == lot.numero
    assert document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "2"
    assert document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "27.33"
    montants = {
        tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS): tx.findtext("p:Amt/p:InstdAmt", namespaces=NS)
        for tx in document.iterfind(".//p:CdtTrfTxInf", NS)
    }
    assert montants == {IBAN_CAMILLE: "17.33", IBAN_HUGO: "10.00"}
    e2e = [e.text for e in document.iterfind(".//p:EndToEndId", NS)]
    assert len(set(e2e)) == 2 and set(e2e) == set(Virement.objects.values_list("end_to_end_id", flat=True))
    camille = Virement.objects.get(adherent=adherent)
    assert camille.libelle.startswith("Mutuelle des Tilleuls - remboursements du ")
    assert camille.end_to_end_id in camille.libelle
    assert document.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == "FR7699999000010000100000131"
    assert AuditLog.objects.filter(action="payments.lot.generated", cible_id=str(lot.pk)).exists()
    # The lines wait for the bank's answer: still validated, each in exactly one live transfer.
    assert set(LigneRemboursement.objects.values_list("statut", flat=True)) == {Statut.VALIDE}
    assert PaiementLigne.objects.filter(vivant=True).count() == 4


@pytest.mark.django_db
def test_a_second_run_finds_nothing_new_and_a_produced_run_keeps_its_file(a_payer: Any) -> None:
    (lot,) = paiements_executer()
    assert paiements_executer() == []
    assert lot_generer(lot=lot).sha256 == lot.sha256
    assert LotPaiement.objects.count() == 1 and Virement.objects.count() == 2


@pytest.mark.django_db
def test_the_database_refuses_a_line_in_two_live_transfers(a_payer: Any) -> None:
    (_lot,) = paiements_executer()
    paiement = PaiementLigne.objects.first()
    assert paiement is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        PaiementLigne.objects.create(virement=paiement.virement, ligne=paiement.ligne, montant=paiement.montant)


@pytest.mark.django_db
def test_a_member_without_a_valid_account_is_not_paid_and_is_listed(
    client: Any, mutuelle: Any, contrat: Any, adherent: Any, gestionnaire: Any
) -> None:
    from mutuelle.backoffice.files import FILES, compteurs

    ligne_make(beneficiaire=contrat.beneficiaires.first(), statut=Statut.VALIDE, amc="4.20")
    preparation = lot_preparer()
    assert preparation.lot is None and preparation.sans_compte == 1
    assert list(adherents_sans_compte()) == [adherent]
    assert montant_en_attente_de_rib(adherent) == Decimal("4.20")
    assert compteurs(FILES["sans_rib"], gestionnaire)["total"] == 1
    connecter(client, adherent.user, methode="aucun")
    accueil = client.get(reverse("espace:accueil")).content.decode()
    assert "4,20" in accueil and reverse("espace:rib") in accueil


@pytest.mark.django_db
def test_under_tiers_payant_the_practitioner_is_paid(mutuelle: Any, contrat: Any, adherent: Any) -> None:
    from tests.factories import PraticienFactory

    praticien = PraticienFactory(iban="FR7699999000010000500000583", bic="")
    ligne = ligne_make(beneficiaire=contrat.beneficiaires.first(), statut=Statut.VALIDE, amc="11.00", tiers_payant=True)
    ligne.praticien_identifiant = praticien.rpps
    ligne.save(update_fields=["praticien_identifiant"])
    (_lot,) = paiements_executer()
    virement = Virement.objects.get()
    assert (virement.type_beneficiaire, virement.praticien, virement.montant) == (
        "praticien",
        praticien,
        Decimal("11.00"),
    )
    assert "tiers payant" in virement.libelle
    assert not adherents_sans_compte().exists()  # the member is owed nothing


@pytest.mark.django_db(transaction=True)
def test_a_crash_between_the_file_and_its_record_then_a_rerun_pays_each_line_exactly_once(
    a_payer: Any, monkeypatch: Any, settings: Any
) -> None:
    from pathlib import Path

    from mutuelle.payments import services

    def panne(lot: Any) -> None:
        raise RuntimeError("coupure entre l'écriture du fichier et son enregistrement")

    monkeypatch.setattr(services, "_fichier_enregistre", panne)
    with pytest.raises(RuntimeError):
        paiements_executer()
    lot = LotPaiement.objects.get()
    assert lot.statut == StatutLot.PREPARE and lot.sha256 == ""
    fichier = Path(settings.MEDIA_ROOT) / "paiements" / f"{lot.numero}.xml"
    premier = fichier.read_bytes()  # written, not recorded
    monkeypatch.undo()
    faits = paiements_executer()
    assert [f.numero for f in faits] == [lot.numero]
    lot.refresh_from_db()
    assert lot.statut == StatutLot.GENERE and fichier.read_bytes() == premier
    assert lot.sha256 == sepa.empreinte(premier)
    assert LotPaiement.objects.count() == 1
    for ligne in LigneRemboursement.objects.all():
        assert PaiementLigne.objects.filter(ligne=ligne, vivant=True).count() == 1
    assert Virement.objects.count() == 2
    assert paiements_executer() == []


def _rapport(lot: LotPaiement, rejets: dict[str, str], message_id: str = "BANQUE-1") -> bytes:
    return sepa.pain002_ecrire(
        message_id=message_id,
        cree_le=datetime(2026, 12, 3, 9, 0),
        message_origine=lot.numero,
        nb_transactions=lot.nb_virements,
        total=lot.total,
        rejets=rejets,
    )


@pytest.mark.django_db
def test_a_report_with_one_rejection_moves_the_right_lines(
    a_payer: Any, adherent: Any, autre_adherent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    (lot,) = paiements_executer()
    hugo = Virement.objects.get(adherent=autre_adherent)
    rapport = _rapport(lot, {hugo.end_to_end_id: "AC04"})
    sepa.valider(rapport, sepa.PAIN002)
    with django_capture_on_commit_callbacks(execute=True):
        resultat = retour_integrer(nom="retour.xml", contenu=rapport)
    assert (resultat.acceptes, resultat.rejetes) == (1, 1)
    # Camille's lines are paid, with the transfer's date.
    for ligne in a_payer["camille"]:
        ligne.refresh_from_db()
        assert ligne.statut == Statut.PAYE
    camille = Virement.objects.get(adherent=adherent)
    assert camille.statut == StatutVirement.ACCEPTE and camille.paye_le == lot.date_execution
    (avis,) = Notification.objects.filter(adherent=adherent, categorie="paiement")
    assert avis.montant == Decimal("17.33") and "3 remboursement(s)" in avis.texte and camille.iban_masque in avis.texte
    assert AuditLog.objects.filter(action="claims.ligne.paid", adherent=adherent).count() == 3
    # Hugo's line waits again, with the bank's reason; his account is flagged and he is asked for another.
    (ligne_hugo,) = a_payer["hugo"]
    ligne_hugo.refresh_from_db()
    assert ligne_hugo.statut == Statut.VALIDE
    dernier = EvenementLigne.objects.filter(ligne=ligne_hugo).order_by("pk").last()
    assert dernier is not None and "AC04 : compte clos" in dernier.motif
    hugo.refresh_from_db()
    assert hugo.statut == StatutVirement.REJETE and hugo.motif == "AC04 : compte clos"
    assert not PaiementLigne.objects.filter(virement=hugo, vivant=True).exists()
    assert CoordonneesBancaires.objects.get(adherent=autre_adherent).statut == StatutRib.REJETE
    assert Notification.objects.filter(adherent=autre_adherent, lien=reverse("espace:rib")).exists()
    lot.refresh_from_db()
    assert lot.statut == StatutLot.CLOS
    # The next run does not pay Hugo to the rejected account; he is listed; a new account pays him.
    assert paiements_executer() == []
    assert list(adherents_sans_compte()) == [autre_adherent]
    _rib(autre_adherent, "FR7699999000010000600000696")
    (suivant,) = paiements_executer()
    assert Virement.objects.get(lot=suivant).iban == "FR7699999000010000600000696"


@pytest.mark.django_db
def test_the_same_report_twice_changes_nothing(a_payer: Any) -> None:
    (lot,) = paiements_executer()
    rapport = _rapport(lot, {})
    retour_integrer(nom="retour.xml", contenu=rapport)
    etats = list(LigneRemboursement.objects.order_by("pk").values_list("statut", "modifie_le"))
    with pytest.raises(PaiementImpossible, match="déjà été intégré"):
        retour_integrer(nom="retour-bis.xml", contenu=rapport)
    assert list(LigneRemboursement.objects.order_by("pk").values_list("statut", "modifie_le")) == etats


@pytest.mark.django_db
def test_a_bad_or_foreign_report_is_refused_whole(a_payer: Any) -> None:
    (lot,) = paiements_executer()
    with pytest.raises(PaiementImpossible, match=r"schéma pain\.002\.001\.03"):
        retour_integrer(nom="faux.xml", contenu=b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.002.001.03'/>")
    with pytest.raises(PaiementImpossible, match="pas du XML lisible"):
        retour_integrer(nom="pas-xml.xml", contenu=b"bonjour")
    etranger = sepa.pain002_ecrire(
        message_id="X",
        cree_le=datetime(2026, 12, 3),
        message_origine="P1999-000001",
        nb_transactions=1,
        total=Decimal("1.00"),
        rejets={},
    )
    with pytest.raises(PaiementImpossible, match="n'a pas émis"):
        retour_integrer(nom="autre.xml", contenu=etranger)
    inconnu = _rapport(lot, {"P2026-999999-000001": "AC01"}, message_id="Y")
    with pytest.raises(PaiementImpossible, match="absents du lot"):
        retour_integrer(nom="inconnu.xml", contenu=inconnu)
    assert set(Virement.objects.values_list("statut", flat=True)) == {StatutVirement.EMIS}
    assert set(LigneRemboursement.objects.values_list("statut", flat=True)) == {Statut.VALIDE}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "dtd",
    [
        '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>',  # XXE: a file of the server
        '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY x "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',  # entity expansion
    ],
)
def test_a_report_declaring_entities_is_refused_with_a_message_not_a_500(a_payer: Any, dtd: str) -> None:
    (lot,) = paiements_executer()
    vrai = _rapport(lot, {}).decode()
    entete, reste = vrai.split("?>", 1)
    piege = (entete + "?>\n" + dtd + reste.replace(">BANQUE-1<", ">&x;<", 1)).encode()
    with pytest.raises(PaiementImpossible, match="déclare un DTD"):
        retour_integrer(nom="piege.xml", contenu=piege)
    assert set(Virement.objects.values_list("statut", flat=True)) == {StatutVirement.EMIS}


@pytest.mark.django_db
def test_amounts_are_exact_to_the_cent(mutuelle: Any, contrat: Any, adherent: Any) -> None:
    _rib(adherent, IBAN_CAMILLE)
    beneficiaire = contrat.beneficiaires.first()
    montants = ["0.01", "0.10", "3.33", "3.33", "3.34", "10.07"]
    for m in montants:
        ligne_make(beneficiaire=beneficiaire, statut=Statut.VALIDE, amc=m)
    (lot,) = paiements_executer()
    attendu = sum((Decimal(m) for m in montants), Decimal("0.00"))
    assert lot.total == attendu == Decimal("20.18")
    assert _xml(lot).findtext(".//p:InstdAmt", namespaces=NS) == "20.18"
    assert isinstance(Virement.objects.get().montant, Decimal)


@pytest.mark.django_db
def test_who_may_run_download_and_import(
    client: Any, a_payer: Any, gestionnaire: Any, responsable: Any, adherent: Any
) -> None:
    connecter(client, gestionnaire)
    assert client.post(reverse("payments:lancer")).status_code == 403
    connecter(client, responsable)
    reponse = client.post(reverse("payments:lancer"))
    lot = LotPaiement.objects.get()
    assert reponse["Location"] == reverse("payments:lot", kwargs={"numero": lot.numero})
    connecter(client, gestionnaire)
    page = client.get(reverse("payments:lot", kwargs={"numero": lot.numero})).content.decode()
    assert IBAN_CAMILLE not in page and Virement.objects.get(adherent=adherent).iban_masque in page
    assert client.post(reverse("payments:fichier", kwargs={"numero": lot.numero})).status_code == 403
    connecter(client, responsable)
    # A GET (a prefetch, a crawler, a link opened twice) changes nothing.
    assert client.get(reverse("payments:fichier", kwargs={"numero": lot.numero})).status_code == 405
    lot.refresh_from_db()
    assert lot.statut != StatutLot.TRANSMIS
    fichier = client.post(reverse("payments:fichier", kwargs={"numero": lot.numero}))
    assert fichier.status_code == 200 and fichier.content == lot.contenu.encode()
    lot.refresh_from_db()
    assert lot.statut == StatutLot.TRANSMIS
    from django.core.files.uploadedfile import SimpleUploadedFile

    rapport = SimpleUploadedFile("retour.xml", _rapport(lot, {}), "application/xml")
    client.post(reverse("payments:retour"), {"fichier": rapport})
    assert set(LigneRemboursement.objects.values_list("statut", flat=True)) == {Statut.PAYE}
    connecter(client, adherent.user, methode="aucun")
    assert client.get(reverse("payments:lots")).status_code == 403
    ligne = a_payer["camille"][0]
    detail = client.get(reverse("espace:remboursement", kwargs={"pk": ligne.pk})).content.decode()
    virement = Virement.objects.get(adherent=adherent)
    assert virement.iban_masque in detail and f"{lot.date_execution:%d/%m/%Y}" in detail


@pytest.mark.django_db
def test_the_daily_run_runs_on_working_days_only(a_payer: Any) -> None:
    from mutuelle.payments.tasks import paiements_quotidiens

    with time_machine.travel(datetime(2026, 12, 5, 7, 0), tick=False):  # a Saturday
        assert paiements_quotidiens() == []
    with time_machine.travel(datetime(2026, 12, 7, 7, 0), tick=False):  # a Monday
        (numero,) = paiements_quotidiens()
    lot = LotPaiement.objects.get(numero=numero)
    assert lot.date_execution == date(2026, 12, 8)


@pytest.mark.django_db
def test_a_later_rejection_of_an_accepted_transfer_is_reported_not_applied(a_payer: Any, adherent: Any) -> None:
    (lot,) = paiements_executer()
    retour_integrer(nom="retour.xml", contenu=_rapport(lot, {}))
    camille = Virement.objects.get(adherent=adherent)
    resultat = retour_integrer(nom="retour-2.xml", contenu=_rapport(lot, {camille.end_to_end_id: "AC04"}, "BANQUE-2"))
    assert resultat.conflits == [camille.end_to_end_id] and (resultat.acceptes, resultat.rejetes) == (0, 0)
    camille.refresh_from_db()
    assert camille.statut == StatutVirement.ACCEPTE
    assert set(LigneRemboursement.objects.values_list("statut", flat=True)) == {Statut.PAYE}


@pytest.mark.django_db
def test_the_first_transfer_to_a_changed_account_is_announced_before_it_leaves(
    a_payer: Any, adherent: Any, autre_adherent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Camille's account replaced an older one: her first transfer to it is announced (email and
    space) with its date, before the file reaches the bank; Hugo's only account is not « new »; the
    next run to the same account says nothing."""
    from django.core import mail

    from mutuelle.notifications.models import Notification

    CoordonneesBancaires.objects.create(
        adherent=adherent, titulaire="Camille Lefebvre", iban=IBAN_HUGO, bic="", statut=StatutRib.REMPLACE
    )
    with django_capture_on_commit_callbacks(execute=True):
        (lot,) = paiements_executer()
    assert lot.statut == StatutLot.GENERE  # announced when prepared: before anyone sends it
    annonce = Notification.objects.get(titre="Premier virement vers votre nouveau compte")
    virement = Virement.objects.get(adherent=adherent)
    assert annonce.adherent == adherent and virement.iban_masque in annonce.texte
    assert f"{lot.date_execution:%d/%m/%Y}" in annonce.texte and "17,33" in annonce.texte
    courriel = [m for m in mail.outbox if "premier virement" in m.subject]
    assert len(courriel) == 1 and courriel[0].to == [adherent.email] and IBAN_CAMILLE not in courriel[0].body
    assert not Notification.objects.filter(adherent=autre_adherent, titre__startswith="Premier virement").exists()
    ligne_make(beneficiaire=adherent.contrats.get().beneficiaires.first(), statut=Statut.VALIDE, amc="5.00")
    paiements_executer()
    assert Notification.objects.filter(titre="Premier virement vers votre nouveau compte").count() == 1
