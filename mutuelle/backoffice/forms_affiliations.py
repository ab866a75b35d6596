"""The handler's decision on a broker's new membership."""

from __future__ import annotations

from django import forms

from mutuelle.brokers.models import StatutAffiliation


class AffiliationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Décision",
        choices=[(StatutAffiliation.ACCEPTEE, "Accepter"), (StatutAffiliation.REFUSEE, "Refuser")],
        widget=forms.RadioSelect,
    )
    motif = forms.CharField(
        label="Motif du refus (envoyé au courtier)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
