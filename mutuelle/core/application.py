"""The member's web app: its manifest, its icons and its service worker.

Members install the site on their phone's home screen (the manifest) and find their tiers-payant card
and attestation de droits there without network (the service worker, ``templates/core/sw.js``, keeps
the card's page and the PDFs it lists). The icons are drawn from the mutuelle's colour and name, so a
change of branding reaches the home screen with the next visit.
"""

from __future__ import annotations

import hashlib
import io
import json
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mutuelle.core.polices import police

TAILLES_ICONES = (180, 192, 512)
MOTS_VIDES = frozenset({"de", "des", "du", "d", "la", "le", "les", "l", "et", "en", "à", "au", "aux", "of", "the"})
FICHIERS_HORS_LIGNE = ("css/site.css", "js/app.js", "img/favicon.svg")


def initiales_marque(nom_court: str) -> str:
    """One or two letters for the icon: the first letters of the name's first two words that are not
    articles or prepositions (« Mutuelle des Tilleuls » → « MT »)."""
    mots = [m for m in nom_court.replace("-", " ").replace("'", " ").split() if m[:1].isalnum()]
    pleins = [m for m in mots if m.lower() not in MOTS_VIDES]
    mots = pleins or mots
    return "".join(m[0] for m in mots[:2]).upper() or "M"


def icone_png(*, taille: int, couleur: str, texte: str) -> bytes:
    """A square icon: the brand colour, the initials in white, within the central 80 % that a
    "maskable" icon's launcher never crops."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (taille, taille), couleur)
    dessin = ImageDraw.Draw(image)
    chemin = police("DejaVuSans-Bold.ttf")
    corps = round(taille * (0.42 if len(texte) == 1 else 0.34))
    fonte: Any = ImageFont.truetype(str(chemin), corps) if chemin else ImageFont.load_default(corps)
    dessin.text((taille / 2, taille / 2), texte, fill="#ffffff", font=fonte, anchor="mm")
    sortie = io.BytesIO()
    image.save(sortie, format="PNG", optimize=True)
    return sortie.getvalue()


def manifeste(mutuelle: Any) -> dict[str, Any]:
    """The Web App Manifest (https://www.w3.org/TR/appmanifest/), in the request's language."""
    nom = mutuelle.nom_court if mutuelle else _("Mutuelle")
    version = f"?v={int(mutuelle.modifie_le.timestamp())}" if mutuelle else ""
    couleur = mutuelle.couleur_principale if mutuelle else "#1d5c4d"
    # 180 px is Apple's touch icon (linked from the page); the manifest offers 192 and 512, the
    # largest also as "maskable" (the drawing keeps to the central safe zone).
    icones = [
        {"src": reverse("core:icone", args=[t]) + version, "sizes": f"{t}x{t}", "type": "image/png", "purpose": but}
        for t, but in ((192, "any"), (512, "any"), (512, "maskable"))
    ]
    return {
        "name": _("%(nom)s — espace adhérent") % {"nom": nom},
        "short_name": nom,
        "description": _("Vos remboursements, vos documents et votre carte de tiers payant, même sans réseau."),
        "lang": get_language(),
        "dir": "ltr",
        "id": "/",
        "start_url": reverse("espace:accueil"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f7f8f9",
        "theme_color": couleur,
        "icons": icones,
        "shortcuts": [
            {"name": _("Ma carte de tiers payant"), "url": reverse("documents:carte")},
            {"name": _("Mes remboursements"), "url": reverse("espace:remboursements")},
        ],
    }


@cache
def version_hors_ligne() -> str:
    """A digest of what the service worker keeps: a change of style, script or worker installs a new
    worker, which replaces the old copies."""
    empreinte = hashlib.sha256()
    dossier = Path(settings.BASE_DIR) / "mutuelle"
    for chemin in [dossier / "static" / f for f in FICHIERS_HORS_LIGNE] + [dossier / "templates" / "core" / "sw.js"]:
        empreinte.update(chemin.read_bytes())
    return empreinte.hexdigest()[:12]


def contexte_service_worker() -> dict[str, Any]:
    """What ``core/sw.js`` needs, as one JSON object (``config``): URLs come from the URL conf."""
    config = {
        "version": version_hors_ligne(),
        "urls": {
            "carte": reverse("documents:carte"),
            "hors_ligne": reverse("core:hors_ligne"),
            "deconnexion": reverse("accounts:deconnexion"),
            "connexion": reverse("accounts:connexion"),
            "marque": reverse("core:marque_css"),
            "statique": settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL,
        },
        "precharger": [reverse("core:hors_ligne")] + [static(f) for f in FICHIERS_HORS_LIGNE],
    }
    return {"config": json.dumps(config, ensure_ascii=False)}
