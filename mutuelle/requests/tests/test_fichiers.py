"""What members upload is checked by its content, rewritten and scanned by a real clamd."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import date

import pikepdf
import pytest
from PIL import Image

from mutuelle.core.calendrier import jours_ouvres_apres
from mutuelle.requests.fichiers import FichierRefuse, VirusDetecte, assainir, type_du_contenu
from mutuelle.requests.tests.conftest import EICAR, jpeg_avec_gps, pdf_piege, pdf_simple, png_simple


def test_a_pdf_is_kept_rewritten_with_its_pages():
    sain = assainir(pdf_simple(pages=3))
    assert sain.type_mime == "application/pdf" and sain.extension == "pdf" and sain.pages == 3
    with pikepdf.open(io.BytesIO(sain.contenu)) as pdf:
        assert len(pdf.pages) == 3


def test_a_pdf_with_javascript_is_kept_only_without_it():
    piege = pdf_piege()
    assert b"/JavaScript" in piege and b"/OpenAction" in piege
    sain = assainir(piege)
    with pikepdf.open(io.BytesIO(sain.contenu)) as pdf:
        assert "/OpenAction" not in pdf.Root and "/Names" not in pdf.Root and "/AcroForm" not in pdf.Root
        assert not pdf.attachments
        page = pdf.pages[0].obj
        assert "/AA" not in page and "/Annots" not in page
        assert len(pdf.pages) == 1
        # Nowhere in the file: no script, no action, no embedded file.
        for objet in pdf.objects:
            if isinstance(objet, pikepdf.Dictionary):
                assert "/JS" not in objet and objet.get("/S") != pikepdf.Name.JavaScript
                assert objet.get("/Type") not in (pikepdf.Name.EmbeddedFile, pikepdf.Name.Filespec)


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (b"Bonjour, voici ma facture.\n" * 10, "ni un PDF, ni une image"),  # text renamed .pdf
        (b"MZ\x90\x00\x03" + b"\x00" * 200, "ni un PDF, ni une image"),  # a Windows program
        (b"PK\x03\x04" + b"\x00" * 200, "ni un PDF, ni une image"),  # a zip (or .docx)
        (b"<html><script>alert(1)</script></html>", "ni un PDF, ni une image"),
        (b"%PDF-1.7\n% truncated and broken", "illisible"),
        (b"\xff\xd8\xff\xe0 not really a jpeg", "illisible"),
        (b"", "vide"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(contenu, message):
    with pytest.raises(FichierRefuse, match=message):
        assainir(contenu)


def test_a_password_protected_pdf_is_refused():
    pdf = pikepdf.open(io.BytesIO(pdf_simple()))
    sortie = io.BytesIO()
    pdf.save(sortie, encryption=pikepdf.Encryption(owner="o", user="secret"))
    with pytest.raises(FichierRefuse, match="mot de passe"):
        assainir(sortie.getvalue())


def test_an_oversized_file_is_refused_before_being_read_further(settings):
    settings.MUTUELLE_PIECE_TAILLE_MAX = 50_000
    with pytest.raises(FichierRefuse, match="dépasse"):
        assainir(b"%PDF-1.4\n" + b"0" * 60_000)


def test_a_photo_is_reencoded_upright_without_its_metadata():
    original = jpeg_avec_gps()
    assert Image.open(io.BytesIO(original)).getexif()
    sain = assainir(original)
    image = Image.open(io.BytesIO(sain.contenu))
    assert sain.type_mime == "image/jpeg" and image.size == (640, 480)
    assert not image.getexif() and b"Fabricant" not in sain.contenu
    assert assainir(png_simple()).type_mime == "image/png"


def test_a_decompression_bomb_is_refused():
    # A valid PNG header announcing 20,000 × 20,000 pixels, with almost no data.
    def morceau(nom: bytes, donnees: bytes) -> bytes:
        return struct.pack(">I", len(donnees)) + nom + donnees + struct.pack(">I", zlib.crc32(nom + donnees))

    ihdr = struct.pack(">IIBBBBB", 20_000, 20_000, 8, 2, 0, 0, 0)
    bombe = b"\x89PNG\r\n\x1a\n" + morceau(b"IHDR", ihdr) + morceau(b"IDAT", zlib.compress(b"\x00" * 100))
    bombe += morceau(b"IEND", b"")
    assert type_du_contenu(bombe) == "image/png"
    with pytest.raises(FichierRefuse, match="trop grande"):
        assainir(bombe)


def test_the_antivirus_refuses_eicar_even_inside_a_pdf(antivirus):
    with pytest.raises(VirusDetecte) as refus:
        assainir(b"%PDF-1.4\n" + EICAR + b"\n%%EOF")
    assert "Mutuelle.Test.EICAR" in refus.value.signature
    assert assainir(pdf_simple()).pages == 1  # a clean file passes


def test_an_unreachable_antivirus_refuses_the_file(settings, tmp_path):
    settings.MUTUELLE_CLAMD = str(tmp_path / "absent.sock")
    with pytest.raises(FichierRefuse, match="momentanément indisponible"):
        assainir(pdf_simple())


@pytest.mark.parametrize(
    ("debut", "jours", "attendu"),
    [
        (date(2026, 11, 20), 2, date(2026, 11, 24)),  # Friday → Tuesday
        (date(2026, 4, 30), 2, date(2026, 5, 5)),  # 1 May (Friday) is a holiday
        (date(2026, 4, 3), 1, date(2026, 4, 7)),  # Easter Monday 6 April 2026
        (date(2026, 12, 23), 5, date(2026, 12, 31)),  # Christmas Day
        (date(2026, 12, 30), 2, date(2027, 1, 4)),  # New Year's Day
    ],
)
def test_service_levels_count_french_working_days(debut, jours, attendu):
    assert jours_ouvres_apres(debut, jours) == attendu


def _pdf_avec_flux(brut: bytes, **filtre: object) -> bytes:
    """A one-page PDF whose page content is ``brut``, stored with the given filter."""
    pdf = pikepdf.open(io.BytesIO(pdf_simple()))
    flux = pikepdf.Stream(pdf, b"")
    flux.write(brut, **filtre)  # type: ignore[arg-type]
    pdf.pages[0].obj.Contents = pdf.make_indirect(flux)
    sortie = io.BytesIO()
    pdf.save(sortie, compress_streams=False)
    return sortie.getvalue()


def test_a_pdf_whose_stream_inflates_to_a_gigabyte_is_refused_without_inflating_it():
    """1 GiB of spaces deflate to about 1 MB: the file passes the size limit, and was stored as is."""
    compresseur = zlib.compressobj(9)
    morceau = b" " * (1 << 20)
    brut = b"".join(compresseur.compress(morceau) for _ in range(1024)) + compresseur.flush()
    assert len(brut) < 2 * 1024 * 1024
    bombe = _pdf_avec_flux(brut, filter=pikepdf.Name.FlateDecode)
    with pytest.raises(FichierRefuse, match="démesurée une fois décompressées"):
        assainir(bombe)


def test_an_ordinary_compressed_pdf_and_an_ascii85_one_still_pass():
    contenu = b"BT /F1 12 Tf 72 720 Td (Facture de l'opticien) Tj ET\n" * 200
    assert assainir(_pdf_avec_flux(zlib.compress(contenu), filter=pikepdf.Name.FlateDecode)).pages == 1
    import base64

    a85 = base64.a85encode(zlib.compress(contenu), adobe=True)
    filtres = pikepdf.Array([pikepdf.Name.ASCII85Decode, pikepdf.Name.FlateDecode])
    assert assainir(_pdf_avec_flux(a85, filter=filtres)).pages == 1


def test_a_pdf_with_an_unusual_compression_is_refused_with_what_to_do():
    with pytest.raises(FichierRefuse, match="compression inhabituelle"):
        assainir(_pdf_avec_flux(b"\x80", filter=pikepdf.Name.LZWDecode))
