"""Every action the audit journal records, from one enum: ``<app>.<noun>.<what was done>``, the noun
from the domain (French), the verb in the past (English), as the rest of the code names things.

``journal_ecrire()`` takes an ``Action`` and nothing else. The journal is append-only, so rows written
before a code was renamed keep their old code: ``ANCIENS_CODES`` maps each old code to its action,
``codes()`` gives every code an action was ever written with (for filters), and
``AuditLog.action_libelle`` reads either. Rename a code by moving the old one into ``ANCIENS_CODES``.
"""

from __future__ import annotations

from django.db import models


class Action(models.TextChoices):
    CONNEXION_REUSSIE = "accounts.login.succeeded", "Connexion réussie"
    CONNEXION_ECHOUEE = "accounts.login.failed", "Échec de connexion"
    COMPTE_VERROUILLE = "accounts.login.locked", "Compte verrouillé après des échecs"
    SECOND_FACTEUR_VERIFIE = "accounts.login.second_factor_passed", "Second facteur vérifié"
    CODE_EMAIL_ENVOYE = "accounts.login.email_code_sent", "Code de connexion envoyé par email"
    DECONNEXION = "accounts.login.logged_out", "Déconnexion"
    SESSIONS_FERMEES = "accounts.sessions.revoked", "Autres sessions fermées"
    IP_LIMITEE = "accounts.ip.throttled", "Adresse IP limitée (trop de tentatives)"
    APPAREIL_APPROUVE = "accounts.device.trusted", "Navigateur reconnu"
    APPAREIL_RETIRE = "accounts.device.revoked", "Navigateur retiré"
    COMPTE_CREE = "accounts.compte.created", "Compte créé"
    COMPTE_ACTIVE = "accounts.compte.activated", "Compte activé"
    COMPTE_REACTIVE = "accounts.compte.enabled", "Compte réactivé"
    COMPTE_DESACTIVE = "accounts.compte.disabled", "Compte désactivé"
    COMPTE_DEVERROUILLE = "accounts.compte.unlocked", "Compte déverrouillé par un gestionnaire"
    DEVERROUILLAGE_REFUSE = "accounts.compte.unlock_refused", "Déverrouillage refusé (identité non vérifiée)"
    SECRET_CHANGE = "accounts.secret.changed", "Mot de passe changé"
    SECRET_DEMANDE_INCONNU = (
        "accounts.secret.requested_unknown",
        "Nouveau mot de passe demandé pour un identifiant inconnu",
    )
    SECRET_DEMANDES_SUSPENDUES = "accounts.secret.requests_suspended", "Demandes de mot de passe suspendues"
    SECRET_DEMANDE_IGNOREE = "accounts.secret.request_ignored", "Demande de mot de passe ignorée (limite atteinte)"
    EMAIL_CHANGE = "accounts.email.changed", "Adresse email changée"
    EMAIL_CHANGEMENT_DEMANDE = "accounts.email.change_requested", "Changement d'adresse email demandé"
    EMAIL_CHANGEMENT_SIGNALE = (
        "accounts.email.change_notified",
        "Changement d'email par la mutuelle signalé à l'adhérent",
    )
    TOTP_AJOUTE = "accounts.mfa.totp.enrolled", "Application d'authentification ajoutée"
    TOTP_RETIRE = "accounts.mfa.totp.removed", "Application d'authentification retirée"
    TOTP_AJOUT_REFUSE = "accounts.mfa.totp.enrolment_refused", "Ajout d'une application refusé"
    CODE_SECOURS_UTILISE = "accounts.mfa.recovery_code.used", "Code de secours utilisé"
    CODES_SECOURS_GENERES = "accounts.mfa.recovery_codes.generated", "Codes de secours générés"
    CLE_AJOUTEE = "accounts.mfa.passkey.enrolled", "Clé d'accès ajoutée"
    CLE_RETIREE = "accounts.mfa.passkey.removed", "Clé d'accès retirée"
    LIEN_ACTIVATION_ENVOYE = "accounts.lien.activation.sent", "Lien d'activation envoyé"
    LIEN_SECRET_ENVOYE = "accounts.lien.secret.sent", "Lien pour un nouveau mot de passe envoyé"
    COURRIER_ACTIVATION_PREPARE = "accounts.courrier.activation.prepared", "Courrier avec code d'activation préparé"
    COURRIER_SECRET_PREPARE = "accounts.courrier.secret.prepared", "Courrier avec code de mot de passe préparé"
    COURRIER_BIENVENUE_PREPARE = "accounts.courrier.bienvenue.prepared", "Lettre de bienvenue préparée"
    COURRIER_RELEVE_PREPARE = "accounts.courrier.releve.prepared", "Relevé papier préparé"
    COURRIER_COORDONNEES_PREPARE = (
        "accounts.courrier.coordonnees.prepared",
        "Courrier de changement de coordonnées préparé",
    )
    COURRIER_IMPRIME = "accounts.courrier.printed", "Courrier imprimé"
    COURRIER_TELECHARGE = "accounts.courrier.downloaded", "Courrier téléchargé"
    LOT_COURRIERS_PREPARE = "accounts.lot.prepared", "Lot de courriers préparé"
    LOT_COURRIERS_TELECHARGE = "accounts.lot.downloaded", "Lot de courriers téléchargé"
    LOT_COURRIERS_CONFIRME = "accounts.lot.confirmed", "Lot de courriers confirmé imprimé"
    FICHE_CONSULTEE = "backoffice.fiche.viewed", "Fiche adhérent consultée"
    RECHERCHE_FAITE = "backoffice.recherche.performed", "Recherche d'adhérents"
    TABLEAU_EXPORTE = "backoffice.tableau.exported", "Tableau de bord exporté"
    ELEMENT_PRIS = "backoffice.element.taken", "Élément d'une file pris"
    ELEMENT_LIBERE = "backoffice.element.released", "Élément d'une file libéré"
    ELEMENT_REATTRIBUE = "backoffice.element.reassigned", "Élément d'une file réattribué"
    MODIFICATION_PROPOSEE = "backoffice.modification.proposed", "Modification proposée (quatre yeux)"
    MODIFICATION_APPROUVEE = "backoffice.modification.approved", "Modification approuvée et appliquée"
    MODIFICATION_REFUSEE = "backoffice.modification.refused", "Modification refusée"
    MODIFICATION_RETIREE = "backoffice.modification.withdrawn", "Modification retirée"
    MODIFICATION_PERIMEE = "backoffice.modification.expired", "Modification caduque"
    MODIFICATION_CONSULTEE = "backoffice.modification.viewed", "Modification consultée"
    AFFILIATION_SOUMISE = "brokers.affiliation.submitted", "Affiliation soumise par un courtier"
    AFFILIATION_ACCEPTEE = "brokers.affiliation.accepted", "Affiliation acceptée"
    AFFILIATION_REFUSEE = "brokers.affiliation.refused", "Affiliation refusée"
    BULLETIN_CONSULTE = "brokers.affiliation.bulletin_viewed", "Bulletin d'adhésion consulté"
    CONTRAT_CONSULTE_COURTIER = "brokers.contrat.viewed", "Contrat consulté par le courtier"
    DOCUMENT_TELECHARGE_COURTIER = "brokers.document.downloaded", "Document téléchargé par le courtier"
    PORTEFEUILLE_EXPORTE = "brokers.portefeuille.exported", "Portefeuille exporté"
    COURTIER_OUVERT = "brokers.courtier.opened", "Compte courtier ouvert"
    COURTIER_FERME = "brokers.courtier.closed", "Compte courtier fermé"
    COURTIER_INVITE = "brokers.courtier.invited", "Courtier invité"
    COURTIER_LIEN_ENVOYE = "brokers.courtier.secret_link_sent", "Lien de mot de passe envoyé au courtier"
    FICHIER_RECU = "claims.fichier.received", "Fichier NOEMIE reçu"
    FICHIER_INTEGRE = "claims.fichier.ingested", "Fichier NOEMIE intégré"
    FICHIER_REPRIS = "claims.fichier.resumed", "Intégration d'un fichier NOEMIE reprise"
    FICHIER_REJETE = "claims.fichier.rejected", "Fichier NOEMIE rejeté"
    FICHIER_DOUBLON = "claims.fichier.duplicate_refused", "Fichier NOEMIE déjà reçu, refusé"
    LIGNE_CONSULTEE = "claims.ligne.viewed", "Remboursement consulté"
    LIGNE_VALIDEE = "claims.ligne.validated", "Remboursement validé"
    LIGNE_PAYEE = "claims.ligne.paid", "Remboursement payé"
    LIGNE_REJETEE = "claims.ligne.rejected", "Remboursement rejeté"
    LIGNE_CORRIGEE = "claims.ligne.corrected", "Remboursement corrigé"
    LIGNE_SANS_OBJET = "claims.ligne.closed_nothing_due", "Remboursement sans objet (rien à verser)"
    LIGNE_EN_ANALYSE = "claims.ligne.analysis_started", "Remboursement remis en analyse"
    LIGNE_COMPLEMENT = "claims.ligne.information_requested", "Complément demandé sur un remboursement"
    SIGNALEMENT_TRAITE = "claims.rejet.processed", "Signalement NOEMIE traité"
    ACCORD_ENREGISTRE = "claims.accord.recorded", "Accord préalable enregistré"
    SPOOL_ORPHELINS_SUPPRIMES = "claims.spool.orphans_deleted", "Fichiers orphelins supprimés"
    ACCES_REFUSE = "core.acces.denied", "Accès refusé"
    REQUETE_TROP_GRANDE = "core.requete.refused_too_large", "Requête refusée (trop grande)"
    MUTUELLE_MODIFIEE = "core.mutuelle.changed", "Paramètres de la mutuelle modifiés"
    PRESET_APPLIQUE = "core.mutuelle.preset_applied", "Configuration de démonstration appliquée"
    DOCUMENT_EMIS = "documents.document.issued", "Document émis"
    DOCUMENT_TELECHARGE = "documents.document.downloaded", "Document téléchargé"
    DOCUMENT_GARDE_HORS_LIGNE = "documents.document.kept_offline", "Document gardé hors ligne"
    EMISSION_LIMITEE = "documents.emission.throttled", "Émission de documents limitée"
    VERIFICATION_LIMITEE = "documents.verification.throttled", "Vérification de documents limitée"
    ADHERENT_CREE = "members.adherent.created", "Adhérent créé"
    ADHERENT_MODIFIE = "members.adherent.changed", "Adhérent modifié"
    ADHERENT_SUPPRIME = "members.adherent.deleted", "Adhérent supprimé"
    ADHERENT_CONSULTE = "members.adherent.viewed", "Adhérent consulté dans l'administration"
    COORDONNEES_MODIFIEES = "members.adherent.contact_changed", "Coordonnées modifiées"
    ETAT_CIVIL_MODIFIE = "members.adherent.civil_status_changed", "État civil modifié"
    LANGUE_MODIFIEE = "members.langue.changed", "Langue de communication modifiée"
    CONTRAT_CREE = "members.contrat.created", "Contrat créé"
    CONTRAT_MODIFIE = "members.contrat.changed", "Contrat modifié"
    CONTRAT_SUPPRIME = "members.contrat.deleted", "Contrat supprimé"
    CONTRAT_CONSULTE = "members.contrat.viewed", "Contrat consulté dans l'administration"
    FORMULE_CHANGEE = "members.contrat.formule_changed", "Formule changée"
    CONTRAT_RESILIE = "members.contrat.terminated", "Contrat résilié"
    BENEFICIAIRE_AJOUTE = "members.beneficiaire.added", "Bénéficiaire ajouté"
    BENEFICIAIRE_CREE = "members.beneficiaire.created", "Bénéficiaire créé dans l'administration"
    BENEFICIAIRE_MODIFIE = "members.beneficiaire.changed", "Bénéficiaire modifié"
    BENEFICIAIRE_SUPPRIME = "members.beneficiaire.deleted", "Bénéficiaire supprimé"
    BENEFICIAIRE_CONSULTE = "members.beneficiaire.viewed", "Bénéficiaire consulté dans l'administration"
    BENEFICIAIRE_RETIRE = "members.beneficiaire.removed", "Bénéficiaire retiré"
    DROIT_AJOUTE = "members.droit.added", "Période de droits ajoutée"
    DROIT_CREE = "members.droitperiode.created", "Période de droits créée dans l'administration"
    DROIT_MODIFIE = "members.droitperiode.changed", "Période de droits modifiée"
    DROIT_SUPPRIME = "members.droitperiode.deleted", "Période de droits supprimée"
    COTISATION_CREEE = "members.cotisation.created", "Cotisation créée"
    COTISATION_MODIFIEE = "members.cotisation.changed", "Cotisation modifiée"
    COTISATION_SUPPRIMEE = "members.cotisation.deleted", "Cotisation supprimée"
    EMPLOYEUR_CREE = "members.employeur.created", "Employeur créé"
    EMPLOYEUR_MODIFIE = "members.employeur.changed", "Employeur modifié"
    EMPLOYEUR_SUPPRIME = "members.employeur.deleted", "Employeur supprimé"
    RIB_DEMANDE = "members.rib.requested", "Nouvelles coordonnées bancaires demandées"
    RIB_ACTIVE = "members.rib.activated", "Coordonnées bancaires activées"
    RIB_REFUSE = "members.rib.refused", "Coordonnées bancaires refusées"
    RIB_REJETE_BANQUE = "members.rib.rejected_by_bank", "Coordonnées bancaires rejetées par la banque"
    EXPORT_DEMANDE = "members.export.requested", "Export des données demandé"
    EXPORT_PRET = "members.export.prepared", "Export des données prêt"
    EXPORT_TELECHARGE = "members.export.downloaded", "Export des données téléchargé"
    CABINET_CREE = "brokers.cabinet.created", "Cabinet de courtage créé"
    CABINET_MODIFIE = "brokers.cabinet.changed", "Cabinet de courtage modifié"
    CABINET_SUPPRIME = "brokers.cabinet.deleted", "Cabinet de courtage supprimé"
    COURTIER_CREE = "brokers.courtier.created", "Courtier créé"
    COURTIER_MODIFIE = "brokers.courtier.changed", "Courtier modifié"
    COURTIER_SUPPRIME = "brokers.courtier.deleted", "Courtier supprimé"
    TAUX_CREE = "brokers.tauxcommission.created", "Taux de commission créé"
    TAUX_MODIFIE = "brokers.tauxcommission.changed", "Taux de commission modifié"
    TAUX_SUPPRIME = "brokers.tauxcommission.deleted", "Taux de commission supprimé"
    FIL_CREE = "messaging.fil.created", "Fil de messagerie ouvert"
    FIL_CONSULTE = "messaging.fil.viewed", "Fil de messagerie consulté"
    FIL_CLOS = "messaging.fil.closed", "Fil de messagerie clos"
    MESSAGE_ECRIT = "messaging.message.written", "Message de l'adhérent"
    REPONSE_ENVOYEE = "messaging.reponse.sent", "Réponse de la mutuelle"
    NOTE_ECRITE = "messaging.note.written", "Note interne"
    PIECE_MESSAGE_CONSULTEE = "messaging.piece.viewed", "Pièce jointe d'un message consultée"
    PREFERENCES_MODIFIEES = "notifications.preferences.changed", "Préférences de communication modifiées"
    LOT_PAIEMENT_PREPARE = "payments.lot.prepared", "Paiement préparé"
    LOT_PAIEMENT_GENERE = "payments.lot.generated", "Fichier de virements généré"
    LOT_PAIEMENT_TELECHARGE = "payments.lot.downloaded", "Fichier de virements téléchargé"
    RETOUR_BANQUE_INTEGRE = "payments.retour.imported", "Retour de la banque intégré"
    PREMIER_VIREMENT_ANNONCE = "payments.premier_virement.announced", "Premier virement vers un compte annoncé"
    ANNUAIRE_IMPORTE = "referentiel.annuaire.imported", "Annuaire des professionnels importé"
    NOMENCLATURE_CHARGEE = "referentiel.nature_prestation.loaded", "Nomenclature chargée"
    DEMANDE_CREEE = "requests.demande.created", "Demande reçue"
    DEMANDE_PRISE = "requests.demande.started", "Demande mise en cours"
    DEMANDE_COMPLEMENT = "requests.demande.completion_requested", "Complément demandé à l'adhérent"
    DEMANDE_TRAITEE = "requests.demande.closed", "Demande traitée"
    DEMANDE_COMPLETEE = "requests.demande.completed", "Demande complétée par l'adhérent"
    PIECE_CONSULTEE = "requests.piece.viewed", "Pièce jointe consultée"
    VIRUS_DETECTE = "requests.fichier.virus_found", "Fichier refusé : virus détecté"
    RIB_CONSULTE = "requests.rib.viewed", "Coordonnées bancaires consultées"
    RIB_PREMIERE_VALIDATION = "requests.rib.first_validated", "Coordonnées bancaires : première validation"
    RIB_SECONDE_VALIDATION = "requests.rib.second_validated", "Coordonnées bancaires : seconde validation"
    PROFESSIONNEL_INFORME = "requests.prise_en_charge.practitioner_informed", "Professionnel informé de l'accord"


# Codes written before the enum (the journal keeps them): each reads as its action today.
ANCIENS_CODES: dict[str, Action] = {
    "accounts.login.success": Action.CONNEXION_REUSSIE,
    "accounts.login.second_factor": Action.SECOND_FACTEUR_VERIFIE,
    "accounts.logout": Action.DECONNEXION,
    "accounts.ip_throttled": Action.IP_LIMITEE,
    "accounts.unlock": Action.COMPTE_DEVERROUILLE,
    "accounts.unlock.refused": Action.DEVERROUILLAGE_REFUSE,
    "accounts.email.change_signale": Action.EMAIL_CHANGEMENT_SIGNALE,
    "accounts.courrier.activation": Action.COURRIER_ACTIVATION_PREPARE,
    "accounts.courrier.secret": Action.COURRIER_SECRET_PREPARE,
    "accounts.courrier.bienvenue": Action.COURRIER_BIENVENUE_PREPARE,
    "accounts.courrier.releve": Action.COURRIER_RELEVE_PREPARE,
    "accounts.courrier.coordonnees": Action.COURRIER_COORDONNEES_PREPARE,
    "backoffice.fiche.consultee": Action.FICHE_CONSULTEE,
    "backoffice.recherche.faite": Action.RECHERCHE_FAITE,
    "backoffice.tableau.exporte": Action.TABLEAU_EXPORTE,
    "backoffice.element.pris": Action.ELEMENT_PRIS,
    "backoffice.element.libere": Action.ELEMENT_LIBERE,
    "backoffice.element.reattribue": Action.ELEMENT_REATTRIBUE,
    "backoffice.modification.proposee": Action.MODIFICATION_PROPOSEE,
    "backoffice.modification.approuvee": Action.MODIFICATION_APPROUVEE,
    "backoffice.modification.refusee": Action.MODIFICATION_REFUSEE,
    "backoffice.modification.retiree": Action.MODIFICATION_RETIREE,
    "backoffice.modification.perimee": Action.MODIFICATION_PERIMEE,
    "backoffice.modification.consultee": Action.MODIFICATION_CONSULTEE,
    "brokers.affiliation.soumise": Action.AFFILIATION_SOUMISE,
    "brokers.affiliation.acceptee": Action.AFFILIATION_ACCEPTEE,
    "brokers.affiliation.refusee": Action.AFFILIATION_REFUSEE,
    "brokers.affiliation.bulletin_consulte": Action.BULLETIN_CONSULTE,
    "brokers.contrat.consulte": Action.CONTRAT_CONSULTE_COURTIER,
    "brokers.document.telecharge": Action.DOCUMENT_TELECHARGE_COURTIER,
    "brokers.portefeuille.exporte": Action.PORTEFEUILLE_EXPORTE,
    "brokers.courtier.ouvert": Action.COURTIER_OUVERT,
    "brokers.courtier.ferme": Action.COURTIER_FERME,
    "brokers.courtier.invite": Action.COURTIER_INVITE,
    "brokers.courtier.lien_secret": Action.COURTIER_LIEN_ENVOYE,
    "claims.fichier.duplicate": Action.FICHIER_DOUBLON,
    "claims.ligne.valide": Action.LIGNE_VALIDEE,
    "claims.ligne.paye": Action.LIGNE_PAYEE,
    "claims.ligne.rejete": Action.LIGNE_REJETEE,
    "claims.ligne.corrigee": Action.LIGNE_CORRIGEE,
    "claims.ligne.sans_objet": Action.LIGNE_SANS_OBJET,
    "claims.ligne.en_cours_d_analyse": Action.LIGNE_EN_ANALYSE,
    "claims.ligne.complement_d_information_necessaire": Action.LIGNE_COMPLEMENT,
    "claims.rejet.traite": Action.SIGNALEMENT_TRAITE,
    "claims.accord.enregistre": Action.ACCORD_ENREGISTRE,
    "claims.spool.orphelins_supprimes": Action.SPOOL_ORPHELINS_SUPPRIMES,
    "core.acces.refuse": Action.ACCES_REFUSE,
    "core.requete.trop_grande": Action.REQUETE_TROP_GRANDE,
    "documents.emis": Action.DOCUMENT_EMIS,
    "documents.telecharge": Action.DOCUMENT_TELECHARGE,
    "documents.garde_hors_ligne": Action.DOCUMENT_GARDE_HORS_LIGNE,
    "documents.emission_limitee": Action.EMISSION_LIMITEE,
    "documents.verification_limitee": Action.VERIFICATION_LIMITEE,
    "members.adherent.consulte": Action.ADHERENT_CONSULTE,
    "members.adherent.coordonnees": Action.COORDONNEES_MODIFIEES,
    "members.adherent.etat_civil": Action.ETAT_CIVIL_MODIFIE,
    "members.langue.modifiee": Action.LANGUE_MODIFIEE,
    "members.contrat.consulte": Action.CONTRAT_CONSULTE,
    "members.beneficiaire.consulte": Action.BENEFICIAIRE_CONSULTE,
    "members.beneficiaire.retire": Action.BENEFICIAIRE_RETIRE,
    "members.rib.demande": Action.RIB_DEMANDE,
    "members.rib.active": Action.RIB_ACTIVE,
    "members.rib.refuse": Action.RIB_REFUSE,
    "members.rib.rejete_banque": Action.RIB_REJETE_BANQUE,
    "members.export.demande": Action.EXPORT_DEMANDE,
    "members.export.pret": Action.EXPORT_PRET,
    "members.export.telecharge": Action.EXPORT_TELECHARGE,
    "messaging.fil.cree": Action.FIL_CREE,
    "messaging.fil.consulte": Action.FIL_CONSULTE,
    "messaging.fil.clos": Action.FIL_CLOS,
    "messaging.message.ecrit": Action.MESSAGE_ECRIT,
    "messaging.reponse.envoyee": Action.REPONSE_ENVOYEE,
    "messaging.note.ecrite": Action.NOTE_ECRITE,
    "messaging.piece.consultee": Action.PIECE_MESSAGE_CONSULTEE,
    "payments.lot.prepare": Action.LOT_PAIEMENT_PREPARE,
    "payments.lot.genere": Action.LOT_PAIEMENT_GENERE,
    "payments.lot.telecharge": Action.LOT_PAIEMENT_TELECHARGE,
    "payments.retour.integre": Action.RETOUR_BANQUE_INTEGRE,
    "payments.premier_virement.annonce": Action.PREMIER_VIREMENT_ANNONCE,
    "referentiel.annuaire.importe": Action.ANNUAIRE_IMPORTE,
    "requests.en_cours": Action.DEMANDE_PRISE,
    "requests.complement": Action.DEMANDE_COMPLEMENT,
    "requests.traitee": Action.DEMANDE_TRAITEE,
    "requests.completee": Action.DEMANDE_COMPLETEE,
    "requests.piece.consultee": Action.PIECE_CONSULTEE,
    "requests.fichier.virus": Action.VIRUS_DETECTE,
    "requests.rib.consulte": Action.RIB_CONSULTE,
    "requests.rib.premiere_validation": Action.RIB_PREMIERE_VALIDATION,
    "requests.rib.seconde_validation": Action.RIB_SECONDE_VALIDATION,
    "requests.prise_en_charge.professionnel_informe": Action.PROFESSIONNEL_INFORME,
    # a request's creation was written with its kind in the code
    "requests.document.creee": Action.DEMANDE_CREEE,
    "requests.contestation.creee": Action.DEMANDE_CREEE,
    "requests.rib.creee": Action.DEMANDE_CREEE,
    "requests.prise_en_charge.creee": Action.DEMANDE_CREEE,
    "requests.ajout_beneficiaire.creee": Action.DEMANDE_CREEE,
    "requests.retrait_beneficiaire.creee": Action.DEMANDE_CREEE,
    "requests.etat_civil.creee": Action.DEMANDE_CREEE,
    "requests.feuille_soins.creee": Action.DEMANDE_CREEE,
    "requests.changement_formule.creee": Action.DEMANDE_CREEE,
    "requests.resiliation.creee": Action.DEMANDE_CREEE,
}


def codes(*actions: Action) -> list[str]:
    """Every code these actions were written with, old ones included: for a filter on the journal."""
    voulues = set(actions)
    return [str(a.value) for a in actions] + [ancien for ancien, a in ANCIENS_CODES.items() if a in voulues]


def action_de(code: str) -> Action | None:
    """The action a journal row records, whatever the code it was written with (None: unknown)."""
    try:
        return Action(code)
    except ValueError:
        return ANCIENS_CODES.get(code)
