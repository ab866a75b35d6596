"""Four-eyes on what staff change in a member's file: one person proposes, a responsable who is
another person approves; nothing changes before; stale, refused and approved are each journaled with
old and new values, and the member is told. Includes everyone who must not pass: the proposer
approving their own change, a gestionnaire approving, another family's object, a broker, a member."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from mutuelle.accounts.models import Appareil, Courrier, Role, SessionCompte, TypeCourrier
from mutuelle.backoffice.models import ModificationProposee, StatutModification
from mutuelle.core.models import AuditLog
from mutuelle.notifications.models import Notification
from tests.factories import CourtierFactory, UserFactory, adherent_make, connecter, contrat_make

pytestmark = pytest.mark.django_db

NOUVELLE = "camille.nouvelle@test.example"


def _url(adherent: Any, cible: str, pk: int) -> str:
    return f"/gestion/adherents/{adherent.numero}/modifier/{cible}/{pk}/"


def _donnees(client: Client, url: str, **changes: Any) -> dict[str, Any]:
    """The proposal form as it stands, with ``changes`` and a reason."""
    form = client.get(url).context["form"]
    data = {}
    for nom, champ in form.fields.items():
        v = form.initial.get(nom, champ.initial)
        if hasattr(v, "pk"):
            v = v.pk
        if isinstance(v, date):
            v = v.isoformat()
        if v is not None and v is not False:
            data[nom] = v
    data.update(changes, motif="Appel de l'adhérente le 03/12, nouvelle adresse confirmée.")
    return data


def _proposer(client: Client, adherent: Any, cible: str, pk: int, **changes: Any) -> Any:
    url = _url(adherent, cible, pk)
    return client.post(url, _donnees(client, url, **changes))


@pytest.fixture
def second_responsable(db: Any) -> Any:
    return UserFactory(username="responsable2", role=Role.RESPONSABLE, is_staff=True)


def test_a_proposed_email_waits_for_another_responsable_then_is_applied_and_told(
    adherent: Any,
    contrat: Any,
    gestionnaire: Any,
    responsable: Any,
    mutuelle: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ancienne = adherent.email
    guichet = connecter(Client(), gestionnaire)
    reponse = _proposer(guichet, adherent, "adherent", adherent.pk, email=NOUVELLE)
    assert reponse.status_code == 302
    modif = ModificationProposee.objects.get()
    assert reponse["Location"] == f"/gestion/modifications/{modif.pk}/"
    adherent.refresh_from_db()
    assert adherent.email == ancienne  # nothing applied yet
    assert (modif.avant, modif.apres, modif.statut) == ({"email": ancienne}, {"email": NOUVELLE}, "en_attente")
    propose = AuditLog.objects.get(action="backoffice.modification.proposed")
    assert propose.ancienne_valeur == {"email": ancienne} and propose.nouvelle_valeur == {"email": NOUVELLE}
    assert propose.acteur == gestionnaire

    # The proposer reads it, cannot approve it (no button, and the POST is refused), can withdraw.
    page = guichet.get(f"/gestion/modifications/{modif.pk}/").content.decode()
    assert "Valider et appliquer" not in page and "Retirer ma proposition" in page
    refus = guichet.post(f"/gestion/modifications/{modif.pk}/", {"action": "approuver"})
    assert refus.status_code == 409 and "Seul un responsable" in refus.content.decode()
    # A second proposal on the same member waits for the first.
    deuxieme = guichet.post(_url(adherent, "adherent", adherent.pk), {"motif": "x", "email": "autre@test.example"})
    assert deuxieme.status_code == 409 and "attend déjà sa validation" in deuxieme.content.decode()

    # The responsable sees the queue, the old and new values side by side, and approves.
    chef = connecter(Client(), responsable)
    accueil = chef.get("/gestion/").content.decode()
    assert "Modifications à valider (quatre yeux)" in accueil
    page = chef.get(f"/gestion/modifications/{modif.pk}/?file=quatre_yeux").content.decode()
    assert ancienne in page and NOUVELLE in page and "Valider et appliquer" in page
    with django_capture_on_commit_callbacks(execute=True):
        fait = chef.post(f"/gestion/modifications/{modif.pk}/", {"action": "approuver"})
    assert fait.status_code == 302
    adherent.refresh_from_db()
    modif.refresh_from_db()
    assert adherent.email == NOUVELLE
    assert (modif.statut, modif.decidee_par) == (StatutModification.APPLIQUEE, responsable)
    change = AuditLog.objects.get(action="members.adherent.changed")
    assert change.ancienne_valeur == {"email": ancienne} and change.nouvelle_valeur == {"email": NOUVELLE}
    assert change.acteur == responsable and "Proposée par" in change.message
    assert AuditLog.objects.filter(action="backoffice.modification.approved", acteur=responsable).exists()
    # Told to the previous address (the new one masked), by post and in the space.
    prevenue = [m for m in mail.outbox if m.to == [ancienne]]
    assert len(prevenue) == 1 and NOUVELLE not in prevenue[0].body
    assert Courrier.objects.get(adherent=adherent, type_courrier=TypeCourrier.COORDONNEES).statut == "a_imprimer"
    assert Notification.objects.filter(adherent=adherent, titre__contains="adresse email a été changée").exists()
    # Decided: no second approval.
    encore = chef.post(f"/gestion/modifications/{modif.pk}/", {"action": "approuver"})
    assert encore.status_code == 409 and "déjà été décidée" in encore.content.decode()


def test_a_responsable_cannot_approve_their_own_proposal(
    adherent: Any, contrat: Any, responsable: Any, second_responsable: Any
) -> None:
    chef = connecter(Client(), responsable)
    assert _proposer(chef, adherent, "adherent", adherent.pk, telephone_mobile="0611223344").status_code == 302
    modif = ModificationProposee.objects.get()
    refus = chef.post(f"/gestion/modifications/{modif.pk}/", {"action": "approuver"})
    assert refus.status_code == 409 and "un autre responsable" in refus.content.decode()
    adherent.refresh_from_db()
    assert adherent.telephone_mobile == ""
    autre = connecter(Client(), second_responsable)
    assert autre.post(f"/gestion/modifications/{modif.pk}/", {"action": "approuver"}).status_code == 302
    adherent.refresh_from_db()
    assert adherent.telephone_mobile == "0611223344"
    # Not an email: the member's space says what changed.
    assert Notification.objects.filter(adherent=adherent, texte__contains="téléphone mobile").exists()


def test_a_change_gone_stale_is_not_applied(adherent: Any, contrat: Any, gestionnaire: Any, responsable: Any) -> None:
    guichet = connecter(Client(), gestionnaire)
    _proposer(guichet, adherent, "adherent", adherent.pk, ville="Villeurbanne", code_postal="69100")
    modif = ModificationProposee.objects.get()
    adherent.ville = "Bron"  # the member's own request was applied meanwhile
    adherent.save(update_fields=["ville"])
    reponse = connecter(Client(), responsable).post(f"/gestion/modifications/{modif.pk}/", {"action": "approuver"})
    assert reponse.status_code == 302
    modif.refresh_from_db()
    adherent.refresh_from_db()
    assert modif.statut == StatutModification.PERIMEE and (adherent.ville, adherent.code_postal) == ("Bron", "69003")
    perimee = AuditLog.objects.get(action="backoffice.modification.expired")
    assert perimee.nouvelle_valeur == {"code_postal": "69100", "ville": "Villeurbanne"}


def test_a_refusal_says_why_and_changes_nothing(
    adherent: Any, contrat: Any, gestionnaire: Any, responsable: Any
) -> None:
    julien = contrat.beneficiaires.get(prenom="Julien")
    guichet = connecter(Client(), gestionnaire)
    assert _proposer(guichet, adherent, "beneficiaire", julien.pk, prenom="Julian").status_code == 302
    modif = ModificationProposee.objects.get()
    chef = connecter(Client(), responsable)
    sans_motif = chef.post(f"/gestion/modifications/{modif.pk}/", {"action": "refuser", "motif_refus": " "})
    assert sans_motif.status_code == 400 and "Dites pourquoi" in sans_motif.content.decode()
    chef.post(f"/gestion/modifications/{modif.pk}/", {"action": "refuser", "motif_refus": "Aucune pièce d'état civil."})
    modif.refresh_from_db()
    julien.refresh_from_db()
    assert modif.statut == StatutModification.REFUSEE and julien.prenom == "Julien"
    refus = AuditLog.objects.get(action="backoffice.modification.refused")
    assert refus.ancienne_valeur == {"prenom": "Julien"} and refus.nouvelle_valeur == {"prenom": "Julian"}
    assert "Aucune pièce" in refus.message


def test_proposals_are_checked_like_the_model(adherent: Any, contrat: Any, gestionnaire: Any, mutuelle: Any) -> None:
    from mutuelle.members.models import Cotisation

    guichet = connecter(Client(), gestionnaire)
    faux = _proposer(guichet, adherent, "adherent", adherent.pk, nir="1 99 99 99 999 999 99")
    assert faux.status_code == 400 and faux.context["form"].errors["nir"]
    assert '<span class="erreur">' in faux.content.decode()
    rien = _proposer(guichet, adherent, "adherent", adherent.pk)
    assert rien.status_code == 400 and "rien changé" in rien.content.decode()
    cotisation = Cotisation.objects.create(
        contrat=contrat, echeance=date(2026, 1, 1), montant=Decimal("80.00"), mode_paiement="prelevement"
    )
    trop = _proposer(guichet, adherent, "cotisation", cotisation.pk, montant_paye="120.00", date_paiement="2026-01-05")
    assert trop.status_code == 400 and trop.context["form"].errors
    assert not ModificationProposee.objects.exists()
    bon = _proposer(guichet, adherent, "cotisation", cotisation.pk, montant_paye="80.00", date_paiement="2026-01-05")
    assert bon.status_code == 302
    assert ModificationProposee.objects.get().apres == {"montant_paye": "80.00", "date_paiement": "2026-01-05"}


def test_a_contracts_broker_changes_only_after_approval(
    adherent: Any, contrat: Any, gestionnaire: Any, responsable: Any
) -> None:
    courtier: Any = CourtierFactory(user__username="courtier-b")
    guichet = connecter(Client(), gestionnaire)
    assert _proposer(guichet, adherent, "contrat", contrat.pk, courtier=courtier.pk).status_code == 302
    contrat.refresh_from_db()
    assert contrat.courtier_id is None
    modif = ModificationProposee.objects.get()
    page = connecter(Client(), responsable).get(f"/gestion/modifications/{modif.pk}/").content.decode()
    assert str(courtier) in page  # the broker by name, not an id
    connecter(Client(), responsable).post(f"/gestion/modifications/{modif.pk}/", {"action": "approuver"})
    contrat.refresh_from_db()
    assert contrat.courtier_id == courtier.pk


def test_nobody_proposes_for_another_family_and_brokers_or_members_get_nothing(
    adherent: Any, contrat: Any, gestionnaire: Any, formule: Any
) -> None:
    autre = adherent_make(nom="Martin", email="martin@test.example", date_naissance=date(1975, 5, 5))
    autre_contrat = contrat_make(adherent=autre, formule=formule)
    guichet = connecter(Client(), gestionnaire)
    # Another family's contract under this member's number: 404, nothing proposed.
    assert guichet.get(_url(adherent, "contrat", autre_contrat.pk)).status_code == 404
    assert guichet.get(_url(adherent, "inconnu", adherent.pk)).status_code == 404
    courtier: Any = CourtierFactory(user__username="courtier-c")
    assert connecter(Client(), courtier.user).get(_url(adherent, "adherent", adherent.pk)).status_code == 404
    membre = connecter(Client(), adherent.user, methode="aucun")
    assert membre.get(_url(adherent, "adherent", adherent.pk)).status_code in (302, 403)
    assert not ModificationProposee.objects.exists()


def test_the_approvers_queue_is_the_responsables_only(adherent: Any, contrat: Any, gestionnaire: Any) -> None:
    guichet = connecter(Client(), gestionnaire)
    assert "quatre yeux" not in guichet.get("/gestion/").content.decode()
    assert guichet.get("/gestion/files/quatre_yeux/").status_code == 403
    assert guichet.post("/gestion/files/quatre_yeux/suivant/").status_code == 403


def test_the_approver_sees_the_risk_signals(
    adherent: Any, contrat: Any, gestionnaire: Any, mutuelle: Any, formule: Any
) -> None:
    from mutuelle.members.models import CoordonneesBancaires

    adherent_make(nom="Martin", email=NOUVELLE, date_naissance=date(1975, 5, 5))
    CoordonneesBancaires.objects.create(
        adherent=adherent, titulaire="Camille Lefebvre", iban="FR7630006000011234567890189", bic="", statut="remplace"
    )
    guichet = connecter(Client(), gestionnaire)
    _proposer(guichet, adherent, "adherent", adherent.pk, telephone_mobile="0611111111")
    assert ModificationProposee.objects.get().signaux == []  # a first account is not a change
    ModificationProposee.objects.update(statut="appliquee", decidee_le=timezone.now())
    CoordonneesBancaires.objects.create(
        adherent=adherent, titulaire="Camille Lefebvre", iban="FR7617569000306384322517B83", bic=""
    )
    _proposer(guichet, adherent, "adherent", adherent.pk, email=NOUVELLE)
    signaux = " ".join(ModificationProposee.objects.get(statut="en_attente").signaux)
    assert "a déjà proposé 1 modification" in signaux
    assert "celle d'un autre adhérent" in signaux
    assert "coordonnées bancaires sont en cours de changement" in signaux


def test_a_browser_new_to_the_account_is_a_risk_signal(adherent: Any) -> None:
    """New to an account that had logged in elsewhere before: a signal; its first browser is not."""
    from django.test import RequestFactory

    from mutuelle.accounts.appareils import appareil_nouveau_depuis

    user = adherent.user
    requete = RequestFactory().get("/")
    requete.session = Client().session
    requete.session.save()
    cle: Any = requete.session.session_key
    premier = Appareil.objects.create(user=user, empreinte="a" * 64, libelle="Firefox", vu_le=timezone.now())
    SessionCompte.objects.create(session_key=cle, user=user, appareil=premier)
    assert appareil_nouveau_depuis(requete, user) is None  # the account's only browser
    Appareil.objects.filter(pk=premier.pk).update(cree_le=timezone.now() - timedelta(days=200))
    nouveau = Appareil.objects.create(user=user, empreinte="b" * 64, libelle="Chrome", vu_le=timezone.now())
    SessionCompte.objects.filter(session_key=cle).update(appareil=nouveau)
    assert appareil_nouveau_depuis(requete, user) == Appareil.objects.get(pk=nouveau.pk).cree_le
    Appareil.objects.filter(pk=nouveau.pk).update(cree_le=timezone.now() - timedelta(days=8))
    assert appareil_nouveau_depuis(requete, user) is None  # known for more than a week
