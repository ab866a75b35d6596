"""Files members send: checked by their content, rewritten, scanned, before anything is kept.

- The type is read from the bytes (puremagic and the format's own signature), never from the name
  or the declared type: only PDF, JPEG and PNG are accepted.
- An antivirus (clamd, when ``MUTUELLE_CLAMD`` is set) scans the file as received; a virus is
  refused and logged. When the antivirus is configured but unreachable, the file is refused too
  (fail closed): the member is asked to try again later.
- A PDF is opened with pikepdf (qpdf) and rewritten page by page into a new file: no document
  JavaScript, open action, embedded file, form or annotation survives; a password-protected or
  broken PDF is refused, and so is one whose streams inflate beyond ``PDF_DECOMPRESSE_MAX`` or
  whose images exceed ``PIXELS_MAX`` (measured while inflating, never by inflating it whole).
- An image is decoded by Pillow (bounded size, against decompression bombs), turned upright, and
  re-encoded without its metadata (EXIF, GPS position).

Only the rewritten bytes are stored, under a server-generated name (``requests.PieceJointe``).
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)

TYPES_ACCEPTES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
SIGNATURES = {"application/pdf": (b"%PDF-",), "image/jpeg": (b"\xff\xd8\xff",), "image/png": (b"\x89PNG\r\n\x1a\n",)}
PAGES_MAX = 100
PIXELS_MAX = 40_000_000  # about 7,300 × 5,500: a phone photo of a document, not a bomb
# What the compressed streams of one PDF may inflate to, together: 100 pages of text and vector
# drawings are a few megabytes; a stream that inflates a few kilobytes into a gigabyte is a bomb.
PDF_DECOMPRESSE_MAX = 150 * 1024 * 1024
_FILTRES_ASCII = {"/ASCII85Decode", "/ASCIIHexDecode"}
_FILTRES_IMAGE = {"/DCTDecode", "/JPXDecode", "/CCITTFaxDecode", "/JBIG2Decode"}


class FichierRefuse(Exception):
    """The file cannot be kept; the message says why, for the member."""


class VirusDetecte(FichierRefuse):
    def __init__(self, signature: str) -> None:
        super().__init__(
            "Ce fichier contient un virus ou un contenu malveillant : il a été refusé. "
            "Analysez votre appareil, puis envoyez une autre copie du document."
        )
        self.signature = signature


@dataclass(frozen=True)
class FichierSain:
    contenu: bytes
    type_mime: str
    extension: str
    sha256: str
    pages: int


def type_du_contenu(contenu: bytes) -> str | None:
    """The file's real type, from its bytes: one of ``TYPES_ACCEPTES`` or None."""
    import puremagic

    try:
        candidats = {m.mime_type for m in puremagic.magic_string(contenu[:8192])}
    except (puremagic.PureError, ValueError):
        candidats = set()
    for type_mime, signatures in SIGNATURES.items():
        if contenu.startswith(signatures) and (type_mime in candidats or not candidats):
            return type_mime
    return None


def antivirus(contenu: bytes) -> None:
    """Scan with clamd when configured (``MUTUELLE_CLAMD``: a Unix socket path or host:port)."""
    adresse = settings.MUTUELLE_CLAMD
    if not adresse:
        return
    from clamav_client.clamd import ClamdError, ClamdNetworkSocket, ClamdUnixSocket

    if adresse.startswith("/"):
        client: ClamdNetworkSocket = ClamdUnixSocket(adresse, timeout=30)
    else:
        hote, _, port = adresse.rpartition(":")
        client = ClamdNetworkSocket(hote or "127.0.0.1", int(port), timeout=30)
    try:
        statut, signature = client.instream(io.BytesIO(contenu))["stream"]
    except (ClamdError, OSError) as exc:
        logger.error("antivirus injoignable : %s", exc.__class__.__name__)
        raise FichierRefuse(
            "Le contrôle antivirus est momentanément indisponible : votre fichier n'a pas été enregistré. "
            "Réessayez dans quelques minutes."
        ) from exc
    if statut == "FOUND":
        raise VirusDetecte(signature or "inconnu")
    if statut != "OK":
        raise FichierRefuse("Le contrôle antivirus n'a pas pu analyser ce fichier : envoyez-en une autre copie.")


def _pdf_assaini(contenu: bytes) -> tuple[bytes, int]:
    import pikepdf

    try:
        source = pikepdf.open(io.BytesIO(contenu))
    except pikepdf.PasswordError as exc:
        raise FichierRefuse("Ce PDF est protégé par un mot de passe : envoyez une version sans protection.") from exc
    except pikepdf.PdfError as exc:
        raise FichierRefuse("Ce PDF est illisible ou abîmé : envoyez une autre copie.") from exc
    with source:
        if len(source.pages) == 0:
            raise FichierRefuse("Ce PDF ne contient aucune page.")
        if len(source.pages) > PAGES_MAX:
            raise FichierRefuse(f"Ce PDF a plus de {PAGES_MAX} pages : envoyez seulement les pages utiles.")
        propre = pikepdf.Pdf.new()
        for page in source.pages:
            propre.pages.append(page)
        for page in propre.pages:
            for cle in ("/AA", "/Annots", "/B"):
                if cle in page.obj:
                    del page.obj[cle]
        _pdf_volume_verifier(propre)
        sortie = io.BytesIO()
        propre.save(sortie, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return sortie.getvalue(), len(propre.pages)


def _pdf_volume_verifier(pdf: object) -> None:
    """Refuse a PDF whose streams would inflate, together, beyond ``PDF_DECOMPRESSE_MAX``, or whose
    images are larger than ``PIXELS_MAX``. Each Flate stream is inflated piece by piece and the
    counting stops at the budget: a bomb is never held in memory."""
    import base64
    import binascii
    import zlib

    import pikepdf

    trop = FichierRefuse(
        "Ce PDF contient des données qui prennent une place démesurée une fois décompressées : "
        "enregistrez-le de nouveau (« imprimer en PDF ») ou envoyez un scan."
    )
    reste = PDF_DECOMPRESSE_MAX
    assert isinstance(pdf, pikepdf.Pdf)
    for objet in pdf.objects:
        if not isinstance(objet, pikepdf.Stream):
            continue
        if objet.get("/Subtype") == "/Image":
            largeur, hauteur = int(objet.get("/Width", 0)), int(objet.get("/Height", 0))
            if largeur * hauteur > PIXELS_MAX:
                raise FichierRefuse("Ce PDF contient une image trop grande : réduisez sa résolution.")
        filtre = objet.get("/Filter")
        filtres = [str(f) for f in filtre] if isinstance(filtre, pikepdf.Array) else ([str(filtre)] if filtre else [])
        brut = objet.read_raw_bytes()
        if "/FlateDecode" in filtres:
            rang = filtres.index("/FlateDecode")
            if not (set(filtres[:rang]) <= _FILTRES_ASCII and set(filtres[rang + 1 :]) <= _FILTRES_IMAGE):
                raise _compression_inhabituelle(filtres)
            try:
                for ascii_filtre in filtres[:rang]:
                    if ascii_filtre == "/ASCII85Decode":
                        brut = base64.a85decode(brut.strip(), adobe=brut.strip().startswith(b"<~"))
                    else:
                        brut = bytes.fromhex(brut.decode("ascii").strip().rstrip(">"))
                inflateur = zlib.decompressobj()
                while brut and reste >= 0:
                    reste -= len(inflateur.decompress(brut, 1 << 20))
                    brut = inflateur.unconsumed_tail
            except (zlib.error, ValueError, binascii.Error) as exc:
                raise FichierRefuse("Ce PDF est illisible ou abîmé : envoyez une autre copie.") from exc
        elif set(filtres) <= _FILTRES_IMAGE | _FILTRES_ASCII:
            reste -= len(brut)  # stored as is, or an image format bounded by its own size
        else:
            raise _compression_inhabituelle(filtres)
        if reste < 0:
            raise trop


def _compression_inhabituelle(filtres: list[str]) -> FichierRefuse:
    return FichierRefuse(
        "Ce PDF utilise une compression inhabituelle (" + ", ".join(f.lstrip("/") for f in filtres) + ") : "
        "enregistrez-le de nouveau (« imprimer en PDF ») ou envoyez un scan."
    )


def _image_assainie(contenu: bytes, type_mime: str) -> bytes:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(contenu)) as image:
            if image.width * image.height > PIXELS_MAX:
                raise FichierRefuse("Cette image est trop grande : réduisez sa résolution et envoyez-la de nouveau.")
            image.load()
            droite = ImageOps.exif_transpose(image)
            sortie = io.BytesIO()
            if type_mime == "image/jpeg":
                droite.convert("RGB").save(sortie, format="JPEG", quality=88, optimize=True)
            else:
                mode = "RGBA" if droite.mode in ("RGBA", "LA", "P") else "RGB"
                droite.convert(mode).save(sortie, format="PNG", optimize=True)
            return sortie.getvalue()
    except Image.DecompressionBombError as exc:
        raise FichierRefuse("Cette image est trop grande : réduisez sa résolution et envoyez-la de nouveau.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise FichierRefuse("Cette image est illisible ou abîmée : envoyez une autre copie.") from exc


def assainir(contenu: bytes, *, taille_max: int | None = None) -> FichierSain:
    """Check and rewrite one received file, or raise ``FichierRefuse`` with a sentence for the member."""
    taille_max = taille_max or settings.MUTUELLE_PIECE_TAILLE_MAX
    if not contenu:
        raise FichierRefuse("Ce fichier est vide.")
    if len(contenu) > taille_max:
        raise FichierRefuse(
            f"Ce fichier dépasse {taille_max // (1024 * 1024)} Mo : réduisez-le (scan en noir et blanc, "
            "photo moins lourde) et envoyez-le de nouveau."
        )
    type_mime = type_du_contenu(contenu)
    if type_mime is None:
        raise FichierRefuse(
            "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG (son contenu a été vérifié, pas seulement son nom)."
        )
    antivirus(contenu)
    if type_mime == "application/pdf":
        propre, pages = _pdf_assaini(contenu)
    else:
        propre, pages = _image_assainie(contenu, type_mime), 1
    return FichierSain(
        contenu=propre,
        type_mime=type_mime,
        extension=TYPES_ACCEPTES[type_mime],
        sha256=hashlib.sha256(propre).hexdigest(),
        pages=pages,
    )
