"""« Mon profil »: contact details, and bank details checked, masked, confirmed by re-authentication
(and the app's code when enrolled), validated by a handler against the RIB scan."""

from __future__ import annotations

import html
import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from mutuelle.core.calendrier import jours_ouvres_apres
from mutuelle.core.delais import delai
from mutuelle.core.iban import iban_masque, iban_verifier
from mutuelle.core.models import AuditLog
from mutuelle.members.models import CoordonneesBancaires, StatutRib
from mutuelle.members.services import rib_actif
from mutuelle.requests.models import Demande, StatutDemande, TypeDemande
from mutuelle.requests.tests.conftest import pdf_simple
from tests.factories import TEST_PASSWORD, code_totp, connecter

pytestmark = pytest.mark.django_db

IBAN_FR = "FR76 3000 6000 0112 3456 7890 189"
IBAN_FR_2 = "FR14 2004 1010 0505 0001 3M02 606"


def _iban_avec_mauvaise_cle_rib() -> str:
    """A French IBAN whose ISO check digits are right but whose clé RIB is wrong."""
    bban = "30006000011234567890188"
    n = int("".join(str(int(c, 36)) for c in bban + "FR00"))
    return f"FR{98 - n % 97:02d}{bban}"


@pytest.mark.parametrize(
    ("saisi", "message"),
    [
        ("FR76 3000 6000 0112 3456 7890 188", "clé de contrôle"),
        (_iban_avec_mauvaise_cle_rib(), "clé RIB"),
        ("BR15 0000 0000 0000 1093 2840 814P2", "zone SEPA"),
        ("US12 3456 7890", "pays"),
        ("FR76 3000 6000 0112", "longueur"),
        ("", "Saisissez"),
    ],
)
def test_wrong_ibans_are_refused_with_a_reason(saisi, message):
    with pytest.raises(ValidationError, match=message):
        iban_verifier(saisi)


def test_a_good_iban_gets_its_bic_and_is_shown_masked():
    verifie = iban_verifier(IBAN_FR.lower())
    assert verifie.iban == "FR7630006000011234567890189" and verifie.bic == "AGRIFRPPXXX"
    assert iban_masque(verifie.iban) == "FR76 •••• •••• •••• •••• •••• 189"
    with pytest.raises(ValidationError, match="ne correspond pas"):
        iban_verifier(IBAN_FR, "BNPAFRPP")


def _confirme(client: Client) -> None:
    session = client.session
    session["_reauthentifie_le"] = __import__("time").time()
    session.save()


def _rib(client: Client, iban: str = IBAN_FR, **extra: Any) -> Any:
    return client.post(
        "/espace/profil/coordonnees-bancaires/",
        {
            "titulaire": "Camille Lefebvre",
            "iban": iban,
            "bic": "",
            "scan": SimpleUploadedFile("rib.pdf", pdf_simple("RIB"), content_type="application/pdf"),
            **extra,
        },
    )


def _aucun_iban_en_clair(*ibans: str) -> None:
    compacts = ["".join(i.split()) for i in ibans]
    for row in AuditLog.objects.all():
        texte = json.dumps([row.ancienne_valeur, row.nouvelle_valeur, row.message, row.cible_libelle], default=str)
        assert not any(c in texte for c in compacts), row.action


def test_new_bank_details_wait_for_a_handler_then_replace_the_old_ones(
    adherent, contrat, gestionnaire, mutuelle, django_capture_on_commit_callbacks
):
    membre = connecter(Client(), adherent.user)
    # Without a fresh confirmation of the secret, the form is not even shown.
    assert membre.get("/espace/profil/coordonnees-bancaires/")["Location"].startswith("/compte/confirmer/")
    _confirme(membre)
    with django_capture_on_commit_callbacks(execute=True):
        assert _rib(membre).status_code == 302
    premier = CoordonneesBancaires.objects.get()
    assert premier.statut == StatutRib.EN_ATTENTE and rib_actif(adherent) is None
    demande = Demande.objects.get(type_demande=TypeDemande.RIB)
    assert demande.coordonnees == premier and demande.pieces.count() == 1
    assert demande.echeance == jours_ouvres_apres(timezone.localdate(), delai("rib"))
    courriel = mail.outbox[-1]
    assert (
        courriel.to == [adherent.email] and "•••• 189" in courriel.body and "30006000011234567890" not in courriel.body
    )
    from mutuelle.notifications.models import Notification

    alerte = Notification.objects.get(adherent=adherent, titre="Nouvelles coordonnées bancaires enregistrées")
    assert "•••• 189" in alerte.texte and "30006000011234567890" not in alerte.texte
    page = html.unescape(membre.get("/espace/profil/").content.decode())
    assert "en cours de vérification" in page and "FR76 •••• •••• •••• •••• •••• 189" in page
    assert "30006000011234567890189" not in page
    # A second change while one is pending is refused.
    _confirme(membre)
    assert "déjà en cours" in html.unescape(_rib(membre, IBAN_FR_2).content.decode())
    # The handler checks the scan and validates.
    gestion = connecter(Client(), gestionnaire)
    detail = html.unescape(gestion.get(f"/gestion/demandes/{demande.numero}/").content.decode())
    assert "•••• 189" in detail and "Coordonnées bancaires validées" in detail
    gestion.post(
        f"/gestion/demandes/{demande.numero}/",
        {"vers": "traitee", "decision": "rib_valide", "message": "RIB conforme."},
    )
    premier.refresh_from_db()
    assert premier.statut == StatutRib.ACTIF and rib_actif(adherent) == premier
    # Later, a change that the handler refuses leaves the first account in use.
    _confirme(membre)
    _rib(membre, IBAN_FR_2)
    deuxieme = Demande.objects.filter(type_demande=TypeDemande.RIB).order_by("-pk").first()
    assert deuxieme is not None and rib_actif(adherent) == premier
    gestion.post(
        f"/gestion/demandes/{deuxieme.numero}/",
        {"vers": "traitee", "decision": "rib_refuse", "message": "Le RIB n'est pas à votre nom."},
    )
    assert rib_actif(adherent) == premier
    assert CoordonneesBancaires.objects.get(iban="FR1420041010050500013M02606").statut == StatutRib.REFUSE
    refus = AuditLog.objects.get(action="members.rib.refused")  # refused, like validated: old and new
    assert refus.ancienne_valeur == {"iban": premier.iban_masque} and refus.nouvelle_valeur["iban"].endswith("606")
    _aucun_iban_en_clair(IBAN_FR, IBAN_FR_2)


def test_the_mutuelle_may_apply_new_bank_details_at_once(adherent, contrat, mutuelle):
    mutuelle.rib_validation_gestionnaire = False
    mutuelle.save()
    membre = connecter(Client(), adherent.user)
    _confirme(membre)
    _rib(membre)
    assert rib_actif(adherent).iban == "FR7630006000011234567890189"
    assert Demande.objects.get().statut == StatutDemande.TRAITEE


def test_bad_bank_details_save_nothing(adherent, contrat, mutuelle):
    membre = connecter(Client(), adherent.user)
    _confirme(membre)
    response = _rib(membre, _iban_avec_mauvaise_cle_rib())
    assert response.status_code == 400 and "clé RIB" in html.unescape(response.content.decode())
    texte = membre.post(
        "/espace/profil/coordonnees-bancaires/",
        {
            "titulaire": "Camille Lefebvre",
            "iban": IBAN_FR,
            "scan": SimpleUploadedFile("rib.pdf", b"ceci n'est pas un pdf", content_type="application/pdf"),
        },
    )
    assert texte.status_code == 400 and "ni un PDF" in html.unescape(texte.content.decode())
    assert not CoordonneesBancaires.objects.exists() and not Demande.objects.exists()


def test_with_an_app_enrolled_the_confirmation_asks_for_its_code(adherent, contrat, mutuelle):
    device = TOTPDevice.objects.create(user=adherent.user, name="app", confirmed=True)
    membre = connecter(Client(), adherent.user)
    suite = "/espace/profil/coordonnees-bancaires/"
    page = membre.get(f"/compte/confirmer/?suite={suite}").content.decode()
    assert "Code à 6 chiffres de votre application" in html.unescape(page)
    refus = membre.post("/compte/confirmer/", {"secret": TEST_PASSWORD, "code": "000000", "suite": suite})
    assert refus.status_code == 400 and membre.get(suite).status_code == 302
    # django-otp makes the next try wait a little after a failure.
    with time_machine.travel(timezone.now() + timedelta(seconds=3), tick=False):
        ok = membre.post("/compte/confirmer/", {"secret": TEST_PASSWORD, "code": code_totp(device), "suite": suite})
        assert ok["Location"] == suite and membre.get(suite).status_code == 200


def test_contact_details_are_checked_and_audited(adherent, contrat, mutuelle):
    membre = connecter(Client(), adherent.user)
    donnees = {
        "telephone_mobile": "06 12 34 56 78",
        "telephone_fixe": "",
        "adresse_ligne1": "8 rue des Lilas",
        "adresse_ligne2": "",
        "code_postal": "6900",
        "ville": "Lyon",
        "preference_courrier": "papier",
    }
    assert membre.post("/espace/profil/", donnees).status_code == 400
    adherent.refresh_from_db()
    assert adherent.adresse_ligne1 == "3 rue des Lilas"
    assert membre.post("/espace/profil/", {**donnees, "code_postal": "69004"}).status_code == 302
    adherent.refresh_from_db()
    assert adherent.adresse_ligne1 == "8 rue des Lilas" and adherent.preference_courrier == "papier"
    row = AuditLog.objects.get(action="members.adherent.contact_changed")
    assert row.nouvelle_valeur["code_postal"] == "69004" and row.ancienne_valeur["adresse_ligne1"] == "3 rue des Lilas"


def test_the_profile_is_the_members_alone(adherent, contrat, autre_adherent, courtier, gestionnaire, mutuelle):
    autre = connecter(Client(), autre_adherent.user)
    page = autre.get("/espace/profil/").content.decode()
    assert adherent.numero not in page and autre_adherent.numero in page
    assert connecter(Client(), gestionnaire).get("/espace/profil/").status_code == 403
    assert connecter(Client(), courtier.user).get("/espace/profil/").status_code == 404
    assert Client().get("/espace/profil/").status_code == 302


def test_the_handler_checking_new_bank_details_sees_the_whole_iban_and_the_risk_signals(
    adherent, contrat, autre_adherent, gestionnaire, courtier, mutuelle
):
    """The attack test found a handler validating « FR76 •••• … 189 » against a scan, the same IBAN
    accepted for unrelated families, and no word of an email changed days before. The handler's page
    now shows the IBAN whole beside the scan (the read journaled, the IBAN kept out of the journal),
    whether the holder bears a name of the contract, and each risk signal; the member's own pages and
    a broker still see it masked."""
    from mutuelle.core.services import journal_ecrire
    from mutuelle.members.models import StatutRib

    CoordonneesBancaires.objects.create(
        adherent=autre_adherent, titulaire="Hugo Marchand", iban=IBAN_FR.replace(" ", ""), bic="BNPAFRPPXXX",
        statut=StatutRib.ACTIF,
    )  # fmt: skip
    journal_ecrire(
        action="accounts.email.changed", target=adherent, adherent=adherent, new={"email": "c…@test.example"}
    )
    membre = connecter(Client(), adherent.user)
    _confirme(membre)
    assert _rib(membre, titulaire="Société Écran").status_code == 302
    demande = Demande.objects.get(type_demande=TypeDemande.RIB)
    gestion = connecter(Client(), gestionnaire)
    page = " ".join(html.unescape(gestion.get(f"/gestion/demandes/{demande.numero}/").content.decode()).split())
    assert "FR76 3000 6000 0112 3456 7890 189" in page
    assert "Le titulaire du compte ne porte le nom d'aucune personne du contrat." in page
    assert f"aussi celui d'une autre famille (adhérent n° {autre_adherent.numero})" in page
    assert f"L'adresse email de l'adhérent a changé le {timezone.localdate():%d/%m/%Y}" in page
    assert AuditLog.objects.filter(action="requests.rib.viewed", acteur=gestionnaire).count() == 1
    _aucun_iban_en_clair(IBAN_FR)
    # The member's own request page, and nobody else, never shows it whole.
    propre = html.unescape(membre.get(f"/espace/demandes/{demande.numero}/").content.decode())
    assert "3000 6000 0112 3456 7890" not in propre and "30006000011234567890" not in propre
    assert connecter(Client(), courtier.user).get(f"/gestion/demandes/{demande.numero}/").status_code in (403, 404)


def test_a_holder_of_the_family_raises_no_signal(adherent, contrat, gestionnaire, mutuelle):
    membre = connecter(Client(), adherent.user)
    _confirme(membre)
    _rib(membre)
    demande = Demande.objects.get(type_demande=TypeDemande.RIB)
    page = html.unescape(connecter(Client(), gestionnaire).get(f"/gestion/demandes/{demande.numero}/").content.decode())
    assert "Aucun signal de risque." in page and "porte le nom d'une personne du contrat" in page


def test_risky_bank_details_need_a_second_different_person_before_they_are_used(
    adherent, contrat, gestionnaire, responsable, mutuelle
):
    """Four-eyes: the handler's validation of an account with a risk signal is a first one only; the
    same person cannot confirm it, nor another handler; a responsable does, and then it is used.
    Both steps are journaled."""
    from tests.factories import UserFactory

    membre = connecter(Client(), adherent.user)
    _confirme(membre)
    _rib(membre, titulaire="Société Écran")
    demande = Demande.objects.get(type_demande=TypeDemande.RIB)
    url = f"/gestion/demandes/{demande.numero}/"
    valider = {"vers": "traitee", "decision": "rib_valide", "message": "RIB conforme."}
    gestion = connecter(Client(), gestionnaire)
    reponse = gestion.post(url, valider, follow=True)
    assert "première validation enregistrée" in html.unescape(reponse.content.decode())
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.EN_COURS and demande.premiere_validation_par == gestionnaire
    assert rib_actif(adherent) is None and CoordonneesBancaires.objects.get().statut == StatutRib.EN_ATTENTE
    page = html.unescape(gestion.get(url).content.decode())
    assert f"Validées une première fois par {gestionnaire}" in page
    for qui in (gestionnaire, UserFactory(username="collegue", role="gestionnaire", is_staff=True)):
        refus = connecter(Client(), qui).post(url, valider)
        assert refus.status_code == 400 and "un responsable, autre que cette personne" in html.unescape(
            refus.content.decode()
        )
        assert rib_actif(adherent) is None
    assert connecter(Client(), responsable).post(url, valider).status_code == 302
    assert rib_actif(adherent) is not None
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.TRAITEE
    assert AuditLog.objects.filter(action="requests.rib.first_validated", acteur=gestionnaire).exists()
    assert AuditLog.objects.filter(action="requests.rib.second_validated", acteur=responsable).exists()


def test_the_handler_who_changed_a_members_contact_cannot_alone_validate_their_new_account(
    adherent, contrat, gestionnaire, mutuelle
):
    """The attack chain's last step: the handler who changed the member's email validates the IBAN
    the member (or whoever now holds the account) entered. A first validation only."""
    from mutuelle.core.services import journal_ecrire

    journal_ecrire(
        action="members.adherent.changed", par=gestionnaire, target=adherent, adherent=adherent,
        new={"telephone_mobile": "0600000000"},
    )  # fmt: skip
    membre = connecter(Client(), adherent.user)
    _confirme(membre)
    _rib(membre)  # the family's name, no other family: only the handler's own change is a signal
    demande = Demande.objects.get(type_demande=TypeDemande.RIB)
    connecter(Client(), gestionnaire).post(
        f"/gestion/demandes/{demande.numero}/", {"vers": "traitee", "decision": "rib_valide", "message": "OK"}
    )
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.EN_COURS and rib_actif(adherent) is None
    entree = AuditLog.objects.get(action="requests.rib.first_validated")
    assert "a modifié les coordonnées de l'adhérent" in str(entree.nouvelle_valeur)


def test_new_bank_details_asked_from_a_browser_new_to_the_account_wait_for_a_second_validator(
    adherent, contrat, gestionnaire, mutuelle
):
    """« Change made from a new device »: the member's usual browser is months old, this one is from
    today; the handler sees it said, and their validation is a first one only."""
    from mutuelle.accounts.models import Appareil, SessionCompte

    membre = connecter(Client(), adherent.user)
    _confirme(membre)
    habituel = Appareil.objects.create(user=adherent.user, empreinte="a" * 64, libelle="Firefox", vu_le=timezone.now())
    Appareil.objects.filter(pk=habituel.pk).update(cree_le=timezone.now() - timedelta(days=200))
    nouveau = Appareil.objects.create(user=adherent.user, empreinte="b" * 64, libelle="Chrome", vu_le=timezone.now())
    SessionCompte.objects.create(session_key=membre.session.session_key, user=adherent.user, appareil=nouveau)
    _rib(membre)
    demande = Demande.objects.get(type_demande=TypeDemande.RIB)
    assert demande.appareil_nouveau_le is not None
    guichet = connecter(Client(), gestionnaire)
    page = guichet.get(f"/gestion/demandes/{demande.numero}/").content.decode()
    assert "navigateur utilisé pour la première fois sur ce compte" in html.unescape(page)
    guichet.post(f"/gestion/demandes/{demande.numero}/", {"vers": "traitee", "decision": "rib_valide", "message": "OK"})
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.EN_COURS and demande.premiere_validation_par == gestionnaire
    assert rib_actif(adherent) is None
