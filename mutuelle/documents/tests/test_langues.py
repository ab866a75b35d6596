"""Everything the mutuelle sends a member is written in the member's language (``Adherent.langue``):
every document, letter, email and notification, whoever or whatever sends it (a page, a handler, a
task).

Three checks, on the demo's data (``seed_demo``):
- no sentence is written outside the translation tags in the templates sent to members (what is
  left once the tags, variables and markup are taken out has no word);
- each document and letter of the demo's first member, rendered in French and in English and read
  back (``pdftotext``), holds no sentence of the other language's catalogue;
- each email, sent for real through Django's mail backend in both languages, likewise.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone, translation

from mutuelle.accounts.models import ObjetJeton, TypeCourrier
from mutuelle.accounts.services import email_compte
from mutuelle.claims.models import LigneRemboursement
from mutuelle.core.calendrier import plus_mois
from mutuelle.core.models import AuditLog
from mutuelle.core.services import mutuelle_lire
from mutuelle.documents import contenus
from mutuelle.documents.services import document_emettre, lettre_bienvenue
from mutuelle.members.comptes import courrier_creer, lien_envoyer
from mutuelle.members.models import Adherent, TypeDroit
from mutuelle.members.services import droit_periode_ajouter
from mutuelle.notifications.models import Notification, PreferencesCommunication, ResumeMensuel
from mutuelle.notifications.services import notification_email_envoyer, remboursement_paye, resumes_mensuels_envoyer
from tests.factories import connecter
from tests.pdf import pdf_texte_brut

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
GABARITS = ROOT / "mutuelle" / "templates"
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"

# What members receive: the PDF documents and letters, and every email. Brokers' emails and the
# practitioners' one (requests/email_professionnel.txt) go to French professionals and stay French.
POUR_DES_PROFESSIONNELS = {"brokers", "requests/email_professionnel.txt"}
EMAILS = sorted(
    p
    for p in GABARITS.glob("*/email_*.txt")
    if p.parent.name not in POUR_DES_PROFESSIONNELS and str(p.relative_to(GABARITS)) not in POUR_DES_PROFESSIONNELS
)
ENVOYES = sorted(
    [
        *GABARITS.glob("documents/pdf/*.html"),
        *GABARITS.glob("accounts/courrier_*.html"),
        *EMAILS,
        *GABARITS.glob("notifications/*email*.html"),
    ]
)
# Words that are the same in every language: acronyms and codes printed as such.
SANS_LANGUE = {"SIREN", "IBAN", "AMC", "PDF", "QR", "DejaVu", "Sans", "Mono", "serif", "sans", "monospace"}


def _hors_traduction(source: str) -> list[str]:
    """The words of a template that no translation tag holds."""
    texte = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", " ", source, flags=re.S)
    texte = re.sub(r"{#.*?#}", " ", texte, flags=re.S)
    texte = re.sub(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", " ", texte, flags=re.S)
    texte = re.sub(r"{%\s*translate\s.*?%}", " ", texte, flags=re.S)
    texte = re.sub(r"<style.*?</style>", " ", texte, flags=re.S)
    texte = re.sub(r"{%\s*block style\w*\s*%}.*?{%\s*endblock\s*%}", " ", texte, flags=re.S)  # CSS blocks
    texte = re.sub(r"{{.*?}}|{%.*?%}", " ", texte, flags=re.S)
    texte = re.sub(r"<!--.*?-->", " ", texte, flags=re.S)
    # Attributes read aloud or shown (alt, title, aria-label, a meta description) count as text.
    lus = re.findall(r'(?:alt|title|aria-label|content)="([^"]*)"', texte)
    texte = re.sub(r"<[^>]*>", " ", texte) + " " + " ".join(lus)
    texte = re.sub(r"https?://\S+|&\w+;", " ", texte)
    return [mot for mot in re.findall(r"[^\W\d_]{2,}", texte) if mot not in SANS_LANGUE]


@pytest.mark.parametrize("gabarit", ENVOYES, ids=lambda p: str(p.relative_to(GABARITS)))
def test_no_sentence_of_what_members_receive_escapes_translation(gabarit: Path) -> None:
    mots = _hors_traduction(gabarit.read_text(encoding="utf-8"))
    assert not mots, f"{gabarit.relative_to(ROOT)}: text outside {{% translate %}}: {mots[:12]}"


def _chaine(valeur: str) -> str:
    import json

    return "".join(json.loads(morceau) for morceau in re.findall(r'^".*"$', valeur, re.M))


def _catalogue() -> list[tuple[str, str]]:
    entrees = []
    for bloc in PO.read_text(encoding="utf-8").split("\n\n"):
        ident = re.search(r'^msgid ((?:".*"\n?)+)', bloc + "\n", re.M)
        chaine = re.search(r'^msgstr(?:\[1\])? ((?:".*"\n?)+)', bloc + "\n", re.M)
        if ident and chaine and _chaine(ident.group(1)) and _chaine(chaine.group(1)):
            entrees.append((_chaine(ident.group(1)), _chaine(chaine.group(1))))
    return entrees


def _fragments(texte: str) -> set[str]:
    """The sentence pieces of a catalogue string between its placeholders and markup: three words
    or more, in a form comparable with a text layer (one space between words)."""
    morceaux = re.split(r"%\(\w+\)s|%%|\{\w+\}|<[^>]+>|[«»“”()]", texte)
    propres = {" ".join(m.split()).strip(" ,.;:—-") for m in morceaux}
    return {m for m in propres if len(m.split()) >= 3 and len(m) >= 15}


@pytest.fixture(scope="module")
def phrases() -> dict[str, set[str]]:
    """Per language, the sentences only that language writes: the French pieces that no English
    string repeats (proper nouns such as « Complémentaire santé solidaire » are kept as they are),
    and the other way round."""
    entrees = _catalogue()
    francais = set().union(*(_fragments(ident) for ident, _ in entrees))
    anglais = set().union(*(_fragments(traduction) for _, traduction in entrees))
    tout_en = " ".join(" ".join(t.split()) for _, t in entrees)
    tout_fr = " ".join(" ".join(i.split()) for i, _ in entrees)
    return {
        "fr": {f for f in francais if f not in tout_en},
        "en": {a for a in anglais if a not in tout_fr},
    }


def _autre(langue: str) -> str:
    return "fr" if langue == "en" else "en"


def _etrangeres(texte: str, langue: str, phrases: dict[str, set[str]]) -> list[str]:
    """The sentences of the other language found in ``texte``. In English, what is quoted « » is
    the mutuelle's own French wording of a guarantee (the contract's text, data), kept as written."""
    plat = " ".join(texte.replace("\u00a0", " ").replace("\u202f", " ").split())
    if langue == "en":
        plat = re.sub(r"«[^»]*»", " ", plat)
    return sorted(p for p in phrases[_autre(langue)] if p in plat)


@pytest.fixture
def premier(settings: Any, tmp_path: Any) -> Adherent:
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--members", "3", stdout=StringIO())
    return Adherent.objects.get(numero="100000017")


@pytest.mark.parametrize("langue", ["fr", "en"])
def test_every_document_and_letter_is_written_in_the_members_language(
    premier: Adherent, langue: str, phrases: dict[str, set[str]]
) -> None:
    premier.langue = langue
    premier.save(update_fields=["langue"])
    mutuelle = mutuelle_lire()
    aujourdhui = timezone.localdate()
    fin = aujourdhui.replace(day=1) - timedelta(days=1)
    beneficiaire = premier.contrats.get().beneficiaires.order_by("date_naissance").first()
    assert beneficiaire is not None
    droit_periode_ajouter(
        beneficiaire=beneficiaire, type_droit=TypeDroit.CSS, date_debut=date(2024, 3, 1), date_fin=date(2025, 2, 28)
    )
    # Asked for from a page in the other language: the member's own language wins.
    with translation.override(_autre(langue)):
        documents = [
            document_emettre(adherent=premier, contenu=contenu)
            for contenu in (
                contenus.carte_tiers_payant(premier, mutuelle),
                contenus.attestation_droits(premier, mutuelle),
                contenus.releve(premier, mutuelle, du=plus_mois(fin + timedelta(days=1), -12), au=fin),
                contenus.attestation_fiscale(premier, mutuelle, annee=contenus.annees_fiscales(premier)[0]),
                contenus.bulletin(premier, mutuelle),
                contenus.aides(premier, mutuelle),
            )
        ]
        lettres = [
            lettre_bienvenue(adherent=premier),
            courrier_creer(adherent=premier, type_courrier=TypeCourrier.SECRET),
        ]
    attendus = {"fr": ["Carte de tiers payant", "Établi le", "Adhérent n°"], "en": ["Tiers-payant card", "Issued on"]}
    for document in documents:
        texte = pdf_texte_brut(document.fichier.path)
        assert not _etrangeres(texte, langue, phrases), (document.titre, _etrangeres(texte, langue, phrases))
    premier_texte = pdf_texte_brut(documents[0].fichier.path) + pdf_texte_brut(documents[1].fichier.path)
    for mot in attendus[langue]:
        assert mot in " ".join(premier_texte.split())
    # The document's title, kept in the history, is in the member's language too.
    assert documents[0].titre.startswith({"fr": "Carte de tiers payant", "en": "Tiers-payant card"}[langue])
    for lettre in lettres:
        texte = pdf_texte_brut(lettre.pdf.path)
        assert not _etrangeres(texte, langue, phrases), (lettre, _etrangeres(texte, langue, phrases))
        assert {"fr": "Bien cordialement", "en": "Kind regards"}[langue] in texte


@pytest.mark.parametrize("langue", ["fr", "en"])
def test_every_email_and_notification_is_written_in_the_members_language(
    premier: Adherent, langue: str, phrases: dict[str, set[str]], settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    premier.langue = langue
    premier.save(update_fields=["langue"])
    user = premier.user
    assert user is not None
    mail.outbox.clear()
    with translation.override(_autre(langue)):
        ligne = LigneRemboursement.objects.filter(beneficiaire__contrat__adherent=premier, montant_amc__gt=0).first()
        assert ligne is not None
        Notification.objects.filter(cle=f"ligne:{ligne.pk}:paye").delete()
        notification = remboursement_paye(ligne=ligne)
        assert notification is not None
        notification_email_envoyer(notification_id=notification.pk)
        lien_envoyer(adherent=premier, objet=ObjetJeton.SECRET)
        email_compte(
            user, translation.gettext_lazy("votre mot de passe a été changé"), "accounts/email_secret_change.txt", {}
        )
        PreferencesCommunication.objects.update_or_create(adherent=premier, defaults={"resume_mensuel": True})
        ResumeMensuel.objects.filter(adherent=premier).delete()
        resumes_mensuels_envoyer(mois=timezone.localtime(notification.cree_le).date().replace(day=1))
    notification.refresh_from_db()
    assert notification.titre.startswith({"fr": "Un remboursement de", "en": "A reimbursement of"}[langue])
    assert len(mail.outbox) >= 3
    for message in mail.outbox:
        corps = [str(message.subject), str(message.body)] + [
            str(contenu) for contenu, _ in getattr(message, "alternatives", [])
        ]
        for texte in corps:
            texte_sans_balises = re.sub(r"<[^>]+>", " ", texte)
            assert not _etrangeres(texte_sans_balises, langue, phrases), (
                message.subject,
                _etrangeres(texte_sans_balises, langue, phrases),
            )
        assert {"fr": "Bonjour", "en": "Hello"}[langue] in message.body


@pytest.mark.parametrize("gabarit", EMAILS, ids=lambda p: str(p.relative_to(GABARITS)))
def test_every_email_template_renders_in_english_without_a_french_sentence(
    gabarit: Path, adherent: Adherent, mutuelle: Any, phrases: dict[str, set[str]]
) -> None:
    """Each email template with every branch it has (the conditions all true, then all false)."""
    for vrai in (True, False):
        contexte = {
            "adherent": adherent if vrai else None,
            "user": adherent.user,
            "mutuelle": mutuelle_lire() if vrai else None,
            "notification": Notification(titre="Title", categorie="paiement" if vrai else "reponse"),
            "premiere": vrai,
            "remplace": vrai,
            "immediat": vrai,
            "le": timezone.now(),
            "expire_le": timezone.now(),
            "execution": timezone.localdate(),
            "resume": {"nombre": 2, "total": 10},
            "mois": "December 2026",
            "quoi": "a passkey",
            "lien": "https://example.invalid/x",
        }
        with translation.override("en"):
            texte = render_to_string(str(gabarit.relative_to(GABARITS)), contexte)
        assert not _etrangeres(texte, "en", phrases), (gabarit.name, vrai, _etrangeres(texte, "en", phrases))


def test_the_footer_switch_keeps_the_members_choice_and_the_next_login_restores_it(premier: Adherent) -> None:
    user = premier.user
    assert user is not None
    autre = Adherent.objects.exclude(pk=premier.pk).exclude(user=None).first()
    assert autre is not None and autre.langue == "fr"
    client = connecter(Client(), user)
    reponse = client.post("/i18n/setlang/", {"language": "en", "next": "/espace/"})
    assert reponse.status_code == 302 and reponse["Location"] == "/espace/"
    premier.refresh_from_db()
    autre.refresh_from_db()
    assert premier.langue == "en" and autre.langue == "fr"  # only the member who chose
    ligne = AuditLog.objects.get(action="members.langue.changed", adherent=premier)
    assert ligne.ancienne_valeur == {"langue": "fr"} and ligne.nouvelle_valeur == {"langue": "en"}
    # An unknown language is refused by Django's view and changes nothing.
    client.post("/i18n/setlang/", {"language": "de", "next": "/espace/"})
    premier.refresh_from_db()
    assert premier.langue == "en"
    # On a new device (no cookie), logging in brings the member's language back.
    appareil = Client()
    appareil.post("/connexion/", {"identifiant": premier.numero, "secret": "demo-mutuelle-2026"})
    assert appareil.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in appareil.get("/espace/").content.decode()


def test_the_calculation_steps_read_in_the_language_of_the_page(
    premier: Adherent, phrases: dict[str, set[str]]
) -> None:
    """The engine writes its explanations in French (``regles.textes``); the Django layer reads them
    through the catalogue, so a member's reimbursement detail (and the estimate, and the estimate's
    PDF) explains the computation in the language of the page."""
    lignes = LigneRemboursement.objects.filter(beneficiaire__contrat__adherent=premier)
    etapes = [e for ligne in lignes for e in ligne.etapes]
    assert len({e.regle for e in etapes}) >= 8, "the demo's first member's lines use many rules"
    for langue in ("fr", "en"):
        with translation.override(langue):
            textes = [e.explication for e in etapes]
        etrangeres = sorted({p for texte in textes for p in _etrangeres(texte, langue, phrases)})
        assert not etrangeres, (langue, etrangeres[:5])
    with translation.override("en"):
        reste = next(e.explication for e in etapes if e.regle == "reste")
    assert reste.startswith("Left for you to pay: ")
    # The member's page shows it in English once English is chosen.
    assert premier.user is not None
    client = connecter(Client(), premier.user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/espace/"})
    page = client.get(f"/espace/remboursements/{lignes.first().pk}/").content.decode()  # type: ignore[union-attr]
    assert "Left for you to pay: " in page and "Reste à votre charge :" not in page
