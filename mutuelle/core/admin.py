from django.contrib import admin
from django.http import HttpRequest

from mutuelle.core.actions import Action
from mutuelle.core.models import AuditLog, Mutuelle, ReglageFile


@admin.register(Mutuelle)
class MutuelleAdmin(admin.ModelAdmin):
    fieldsets = (
        (
            "Identité",
            {"fields": ("raison_sociale", "nom_court", "numero_amc", "siren", "immatriculation")},
        ),
        (
            "Coordonnées",
            {
                "fields": (
                    "adresse_ligne1",
                    "adresse_ligne2",
                    "code_postal",
                    "ville",
                    "telephone",
                    "horaires",
                    "email_contact",
                    "domaine_officiel",
                )
            },
        ),
        ("Charte graphique", {"fields": ("couleur_principale", "couleur_secondaire", "logo")}),
        (
            "Connexion des adhérents",
            {"fields": ("politique_connexion", "seuil_verrouillage", "duree_verrouillage_minutes")},
        ),
    )
    list_display = ("nom_court", "numero_amc", "politique_connexion", "domaine_officiel")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not Mutuelle.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        from django.db import transaction

        from mutuelle.core.services import journal_ecrire

        with transaction.atomic():
            super().save_model(request, obj, form, change)
            journal_ecrire(
                action=Action.MUTUELLE_MODIFIEE,
                target=obj,
                request=request,
                new={k: form.cleaned_data[k] for k in form.changed_data if k != "logo"},
            )


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("cree_le", "action", "acteur_libelle", "cible_libelle", "adherent", "ip")
    list_filter = ("action",)
    search_fields = ("action", "cible_libelle", "acteur_libelle", "adherent__numero")
    date_hierarchy = "cree_le"
    list_select_related = ("adherent",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ReglageFile)
class ReglageFileAdmin(admin.ModelAdmin):
    list_display = ("file", "delai_jours")
