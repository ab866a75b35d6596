from django import forms


class SignalementForm(forms.Form):
    commentaire = forms.CharField(
        label="Suite donnée",
        max_length=500,
        min_length=5,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple : bénéficiaire rattaché au contrat…, ou retourné à la caisse (personne inconnue).",
    )
