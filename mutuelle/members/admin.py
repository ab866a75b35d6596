from typing import Any

from django.contrib import admin

from mutuelle.core.admin_mixins import AuditedAdmin, ChampsProteges
from mutuelle.members.champs_proteges import COORDONNEES, IDENTITE, IDENTITE_BENEFICIAIRE, PAIEMENT_COTISATION
from mutuelle.members.models import (
    Adherent,
    Beneficiaire,
    Contrat,
    ContratFormule,
    Cotisation,
    DroitPeriode,
    Employeur,
)
from mutuelle.members.services import adherent_numero_next, contrat_numero_next


@admin.register(Employeur)
class EmployeurAdmin(AuditedAdmin):
    list_display = ("raison_sociale", "siren", "ville")
    search_fields = ("raison_sociale", "=siren")


class ContratInline(ChampsProteges, admin.TabularInline):
    model = Contrat
    extra = 0
    fields = ("numero", "type_contrat", "employeur", "courtier", "date_debut", "date_fin", "statut")
    readonly_fields = ("numero",)
    champs_proteges = ("courtier",)
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        # A contract is opened from the contracts list, which numbers it (not from this inline).
        return False


@admin.register(Adherent)
class AdherentAdmin(AuditedAdmin):
    list_display = ("numero", "nom", "prenom", "date_naissance", "ville", "email")
    actions = ["lettre_bienvenue_preparer"]

    @admin.action(description="Préparer la lettre de bienvenue (courriers à imprimer)")
    def lettre_bienvenue_preparer(self, request: Any, queryset: Any) -> None:
        # documents stand above members: an admin action, loaded when clicked
        from mutuelle.documents.contenus import DocumentIndisponible
        from mutuelle.documents.services import lettre_bienvenue

        faites, refus = 0, []
        for adherent in queryset[:200]:
            try:
                lettre_bienvenue(adherent=adherent, par=request.user, request=request)
                faites += 1
            except DocumentIndisponible as exc:
                refus.append(f"{adherent.numero} : {exc}")
        if faites:
            self.message_user(request, f"{faites} lettre(s) de bienvenue ajoutée(s) aux courriers à imprimer.")
        for texte in refus:
            self.message_user(request, texte, level="warning")

    search_fields = ("=numero", "nom", "prenom", "=nir", "email")
    list_filter = ("preference_courrier",)
    readonly_fields = ("numero",)
    champs_proteges = (*IDENTITE, *COORDONNEES, "user")
    lecture_auditee = True  # the page shows the full NIR
    raw_id_fields = ("user",)
    inlines = [ContratInline]
    fieldsets = (
        (
            "Identité",
            {
                "fields": (
                    "numero",
                    "civilite",
                    "nom",
                    "nom_naissance",
                    "prenom",
                    "date_naissance",
                    "sexe",
                    "nir",
                )
            },
        ),
        (
            "Coordonnées",
            {
                "fields": (
                    "email",
                    "telephone_mobile",
                    "telephone_fixe",
                    "adresse_ligne1",
                    "adresse_ligne2",
                    "code_postal",
                    "ville",
                    "preference_courrier",
                )
            },
        ),
        ("Compte", {"fields": ("user",)}),
    )

    def _adherent_of(self, obj: Any) -> Any:
        return obj

    def before_create(self, obj: Any) -> None:
        obj.numero = adherent_numero_next()


class ContratFormuleInline(admin.TabularInline):
    model = ContratFormule
    extra = 0


class BeneficiaireInline(ChampsProteges, admin.TabularInline):
    model = Beneficiaire
    extra = 0
    fields = (
        "qualite",
        "nom",
        "prenom",
        "date_naissance",
        "sexe",
        "nir",
        "nir_personnel",
        "rang_gemellaire",
        "regime_local",
        "date_entree",
        "date_sortie",
    )
    champs_proteges = ("qualite", *IDENTITE_BENEFICIAIRE)
    show_change_link = True


class CotisationInline(admin.TabularInline):
    model = Cotisation
    extra = 0
    fields = ("echeance", "montant", "montant_paye", "date_paiement", "mode_paiement")
    ordering = ("-echeance",)
    max_num = 0
    can_delete = False
    readonly_fields = fields


@admin.register(Contrat)
class ContratAdmin(AuditedAdmin):
    list_display = (
        "numero",
        "adherent",
        "type_contrat",
        "employeur",
        "courtier",
        "date_debut",
        "statut",
    )
    list_filter = ("type_contrat", "statut", "employeur", "courtier__cabinet")
    search_fields = ("=numero", "adherent__numero", "adherent__nom")
    readonly_fields = ("numero",)
    champs_proteges = ("adherent", "courtier")
    lecture_auditee = True  # the beneficiaries' inline shows their full NIR
    raw_id_fields = ("adherent",)
    list_select_related = ("adherent", "employeur", "courtier__user")
    inlines = [ContratFormuleInline, BeneficiaireInline, CotisationInline]

    def _adherent_of(self, obj: Any) -> Any:
        return obj.adherent

    def before_create(self, obj: Any) -> None:
        obj.numero = contrat_numero_next(type_contrat=obj.type_contrat)


class DroitPeriodeInline(admin.TabularInline):
    model = DroitPeriode
    extra = 0


@admin.register(Beneficiaire)
class BeneficiaireAdmin(AuditedAdmin):
    list_display = (
        "nom",
        "prenom",
        "qualite",
        "date_naissance",
        "contrat",
        "date_entree",
        "date_sortie",
    )
    list_filter = ("qualite", "regime_local")
    search_fields = ("nom", "prenom", "=nir", "contrat__numero", "contrat__adherent__numero")
    raw_id_fields = ("contrat",)
    champs_proteges = ("contrat", "qualite", *IDENTITE_BENEFICIAIRE)
    lecture_auditee = True  # the page shows the full NIR
    inlines = [DroitPeriodeInline]

    def _adherent_of(self, obj: Any) -> Any:
        return obj.contrat.adherent


@admin.register(DroitPeriode)
class DroitPeriodeAdmin(AuditedAdmin):
    list_display = ("beneficiaire", "type_droit", "date_debut", "date_fin", "reference")
    list_filter = ("type_droit",)
    search_fields = ("beneficiaire__nom", "beneficiaire__contrat__adherent__numero", "reference")
    raw_id_fields = ("beneficiaire",)

    def _adherent_of(self, obj: Any) -> Any:
        return obj.beneficiaire.contrat.adherent


@admin.register(Cotisation)
class CotisationAdmin(AuditedAdmin):
    list_display = (
        "contrat",
        "echeance",
        "montant",
        "montant_paye",
        "date_paiement",
        "mode_paiement",
    )
    list_filter = ("mode_paiement",)
    search_fields = ("contrat__numero", "contrat__adherent__numero")
    date_hierarchy = "echeance"
    raw_id_fields = ("contrat",)
    champs_proteges = ("contrat", *PAIEMENT_COTISATION)

    def _adherent_of(self, obj: Any) -> Any:
        return obj.contrat.adherent
