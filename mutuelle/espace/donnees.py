"""« Mes données » (GDPR, right of access and portability): everything the mutuelle holds on a member
and their family, as a ZIP made in the background: ``donnees.json`` (machine-readable, one section
per kind of data) and the PDFs (documents issued, files sent). The link is emailed, works only for
that member once logged in, and expires after 7 days (the archive is then deleted)."""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import zipfile
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from mutuelle.accounts.models import Appareil
from mutuelle.accounts.services import email_adherent
from mutuelle.claims.models import LigneRemboursement
from mutuelle.core.actions import Action
from mutuelle.core.models import AuditLog
from mutuelle.core.services import journal_ecrire
from mutuelle.documents.models import Document
from mutuelle.members.models import (
    Adherent,
    Beneficiaire,
    ContratFormule,
    CoordonneesBancaires,
    Cotisation,
    DroitPeriode,
    ExportDonnees,
    StatutExport,
)
from mutuelle.notifications.models import Notification, PreferencesCommunication
from mutuelle.requests.models import Demande, EvenementDemande, PieceJointe

VALIDITE = timedelta(days=7)
PAR_JOUR = 3


class ExportRefuse(Exception):
    """The export cannot be asked for now; the message says why."""


def _empreinte(jeton: str) -> str:
    return hashlib.sha256(jeton.encode()).hexdigest()


def _valeurs(qs: Any, *champs: str) -> list[dict[str, Any]]:
    return list(qs.values(*champs))


def contenu(adherent: Adherent) -> dict[str, Any]:
    """The member's data, section by section (French names: the member reads them)."""

    contrats = adherent.contrats.all()
    beneficiaires = Beneficiaire.objects.filter(contrat__in=contrats)
    user = adherent.user
    return {
        "genere_le": timezone.now(),
        "mutuelle": "Données détenues par la mutuelle sur l'adhérent et les bénéficiaires de ses contrats",
        "adherent": _valeurs(
            Adherent.objects.filter(pk=adherent.pk),
            "numero",
            "civilite",
            "nom",
            "nom_naissance",
            "prenom",
            "date_naissance",
            "sexe",
            "nir",
            "email",
            "telephone_mobile",
            "telephone_fixe",
            "adresse_ligne1",
            "adresse_ligne2",
            "code_postal",
            "ville",
            "preference_courrier",
            "cree_le",
        )[0],
        "compte": {
            "cree_le": user.date_joined if user else None,
            "derniere_connexion": user.last_login if user else None,
            "actif": user.is_active if user else False,
        },
        "contrats": _valeurs(
            contrats,
            "numero",
            "type_contrat",
            "date_debut",
            "date_fin",
            "statut",
            "motif_fin",
            "employeur__raison_sociale",
        ),
        "formules": _valeurs(
            ContratFormule.objects.filter(contrat__in=contrats),
            "contrat__numero",
            "formule__libelle",
            "date_debut",
            "date_fin",
        ),
        "beneficiaires": _valeurs(
            beneficiaires,
            "contrat__numero",
            "qualite",
            "nom",
            "prenom",
            "date_naissance",
            "sexe",
            "nir",
            "rang_gemellaire",
            "date_entree",
            "date_sortie",
        ),
        "droits": _valeurs(
            DroitPeriode.objects.filter(beneficiaire__in=beneficiaires),
            "beneficiaire__prenom",
            "type_droit",
            "date_debut",
            "date_fin",
            "reference",
        ),
        "cotisations": _valeurs(
            Cotisation.objects.filter(contrat__in=contrats),
            "contrat__numero",
            "echeance",
            "montant",
            "montant_paye",
            "date_paiement",
            "mode_paiement",
        ),
        "remboursements": _valeurs(
            LigneRemboursement.objects.filter(contrat__in=contrats).order_by("date_soins", "pk"),
            "beneficiaire__prenom",
            "date_soins",
            "poste",
            "nature__libelle",
            "montant_depense",
            "base_remboursement",
            "montant_amo",
            "montant_amc",
            "reste_a_charge",
            "statut",
            "praticien_identifiant",
            "finess",
        ),
        "coordonnees_bancaires": [
            {
                "titulaire": c.titulaire,
                "iban": c.iban_masque,
                "bic": c.bic,
                "statut": c.statut,
                "depuis": c.actif_depuis,
            }
            for c in CoordonneesBancaires.objects.filter(adherent=adherent)
        ],
        "demandes": _valeurs(
            Demande.objects.filter(adherent=adherent),
            "numero",
            "type_demande",
            "statut",
            "cree_le",
            "commentaire",
            "decision",
            "reponse",
            "montant_accorde",
        ),
        "etapes_des_demandes": _valeurs(
            EvenementDemande.objects.filter(demande__adherent=adherent), "demande__numero", "le", "vers", "message"
        ),
        "pieces_envoyees": _valeurs(
            PieceJointe.objects.filter(demande__adherent=adherent), "demande__numero", "nom", "type_mime", "ajoutee_le"
        ),
        "documents": _valeurs(
            Document.objects.filter(adherent=adherent), "type_document", "titre", "emis_le", "valide_jusqu_au"
        ),
        "notifications": _valeurs(
            Notification.objects.filter(adherent=adherent), "categorie", "titre", "texte", "cree_le", "lue_le"
        ),
        "preferences": _valeurs(
            PreferencesCommunication.objects.filter(adherent=adherent),
            "email_paiement",
            "resume_mensuel",
            "email_complement",
            "email_reponse",
            "releves_papier",
        ),
        "navigateurs": _valeurs(Appareil.objects.filter(user=user), "libelle", "cree_le", "vu_le") if user else [],
        "connexions": _valeurs(
            AuditLog.objects.filter(
                cible_type="accounts.user", cible_id=str(user.pk), action__startswith="accounts.login"
            ).order_by("cree_le"),
            "cree_le",
            "action",
            "ip",
        )
        if user
        else [],
    }


def archive(adherent: Adherent) -> bytes:
    """The ZIP: donnees.json, then the documents issued and the files sent, under readable names."""

    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("donnees.json", json.dumps(contenu(adherent), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        for document in Document.objects.filter(adherent=adherent):
            if document.fichier and document.fichier.storage.exists(document.fichier.name):
                with document.fichier.open("rb") as f:
                    zf.writestr(
                        f"documents/{document.emis_le:%Y-%m-%d}-{document.pk}-{document.type_document}.pdf", f.read()
                    )
        for piece in PieceJointe.objects.filter(demande__adherent=adherent).select_related("demande"):
            if piece.fichier and piece.fichier.storage.exists(piece.fichier.name):
                with piece.fichier.open("rb") as f:
                    zf.writestr(f"pieces-envoyees/{piece.demande.numero}-{piece.pk}-{piece.nom}", f.read())
    return tampon.getvalue()


def export_demander(*, adherent: Adherent, par: Any, request: HttpRequest | None = None) -> ExportDonnees:
    """Ask for the archive: made by a Celery task after the commit, the link emailed when ready."""
    depuis = timezone.now() - timedelta(days=1)
    if ExportDonnees.objects.filter(adherent=adherent, statut=StatutExport.EN_COURS).exists():
        raise ExportRefuse("Une archive est déjà en préparation : vous recevrez un email dès qu'elle sera prête.")
    if ExportDonnees.objects.filter(adherent=adherent, cree_le__gte=depuis).count() >= PAR_JOUR:
        raise ExportRefuse(f"Vous avez déjà demandé {PAR_JOUR} archives aujourd'hui : réessayez demain.")
    jeton = secrets.token_urlsafe(32)
    with transaction.atomic():
        export = ExportDonnees.objects.create(adherent=adherent, jeton_empreinte=_empreinte(jeton))
        journal_ecrire(action=Action.EXPORT_DEMANDE, par=par, target=export, adherent=adherent, request=request)
        from mutuelle.espace.tasks import export_generer

        pk = export.pk
        transaction.on_commit(lambda: export_generer.delay(pk, jeton))
    return export


def export_generer(*, export_id: int, jeton: str) -> bool:
    """Build the archive and email the link (idempotent: an export already ready is left alone)."""

    export = ExportDonnees.objects.select_related("adherent").get(pk=export_id)
    if export.statut != StatutExport.EN_COURS:
        return False
    try:
        donnees = archive(export.adherent)
    except Exception:
        export.statut = StatutExport.ECHEC
        export.save(update_fields=["statut"])
        raise
    maintenant = timezone.now()
    export.fichier.save(
        f"donnees-{export.adherent.numero}-{maintenant:%Y%m%d%H%M%S}.zip", ContentFile(donnees), save=False
    )
    export.taille = len(donnees)
    export.statut = StatutExport.PRET
    export.pret_le = maintenant
    export.expire_le = maintenant + VALIDITE
    export.save()
    journal_ecrire(action=Action.EXPORT_PRET, target=export, adherent=export.adherent, new={"octets": len(donnees)})
    if export.adherent.email:
        lien = settings.MUTUELLE_BASE_URL + reverse("espace:donnees_telecharger", kwargs={"jeton": jeton})
        email_adherent(
            export.adherent,
            gettext_lazy("l'archive de vos données est prête"),
            "espace/email_export.txt",
            {"lien": lien, "expire_le": export.expire_le},
        )
    return True


def export_par_lien(*, adherent: Adherent, jeton: str) -> ExportDonnees | None:
    """The member's own ready export for this link, if it has not expired."""
    return ExportDonnees.objects.filter(
        adherent=adherent, jeton_empreinte=_empreinte(jeton), statut=StatutExport.PRET, expire_le__gt=timezone.now()
    ).first()


def export_de(*, adherent: Adherent, pk: int) -> ExportDonnees | None:
    """The member's own ready export, by its number in « Mes données », if it has not expired."""
    return ExportDonnees.objects.filter(
        adherent=adherent, pk=pk, statut=StatutExport.PRET, expire_le__gt=timezone.now()
    ).first()


def exports_expirer() -> int:
    """Delete the archives whose 7 days are over (Celery beat, daily)."""
    n = 0
    for export in ExportDonnees.objects.filter(statut=StatutExport.PRET, expire_le__lte=timezone.now()):
        if export.fichier:
            export.fichier.delete(save=False)
        export.statut = StatutExport.EXPIRE
        export.save(update_fields=["fichier", "statut"])
        n += 1
    return n
