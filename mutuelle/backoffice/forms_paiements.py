from django import forms


class RetourBanqueForm(forms.Form):
    fichier = forms.FileField(
        label="Rapport de la banque (pain.002, XML)",
        help_text="Le compte rendu d'exécution que la banque renvoie pour un fichier de virements.",
    )

    def clean_fichier(self) -> object:
        fichier = self.cleaned_data["fichier"]
        if fichier.size > 20 * 2**20:
            raise forms.ValidationError("Ce fichier dépasse 20 Mo : est-ce bien un rapport pain.002 ?")
        return fichier
