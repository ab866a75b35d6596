"""`make prod`: the production stack on this machine, against the local PostgreSQL and Redis.

It prepares what a deployment provides (a secret key file, a TLS certificate for https://localhost,
the database, the static files with hashed names, an antivirus daemon), loads the demo data when the
database is empty, then runs the processes of docs/operations.md under honcho: gunicorn (the web),
a Celery worker and Celery beat, with ``MUTUELLE_ENV=production`` and its checks. Ctrl-C stops all.

``--verifier`` starts it, checks it as a load balancer and a member would (``/readyz`` green, a
member logs in and reads their space), stops it and exits 0 or 1: the CI's smoke run.

Everything it writes is under ``var/prod/``; its database is ``mutuelle_prod`` (``PROD_DATABASE_URL``
to use another). Emails go to ``var/prod/outbox/`` (no mail server here). The antivirus is the Debian
clamd; with no signature database on the machine (``freshclam`` needs the internet), it loads a test
signature (EICAR) only, and says so.
"""

from __future__ import annotations

import argparse
import datetime
import http.cookiejar
import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "prod"
PORT = int(os.environ.get("PROD_PORT", "8443"))
BASE_URL = f"https://localhost:{PORT}"
DATABASE_URL = os.environ.get("PROD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mutuelle_prod")
REDIS = os.environ.get("PROD_REDIS_URL", "redis://127.0.0.1:6379")
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def _env() -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_SETTINGS", "CELERY_TASK"))},
        "MUTUELLE_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY_FILE": str(VAR / "secret_key"),
        "DATABASE_URL": DATABASE_URL,
        "CACHE_URL": f"{REDIS}/1",
        "CELERY_BROKER_URL": f"{REDIS}/2",
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "MUTUELLE_BASE_URL": BASE_URL,
        "MUTUELLE_CLAMD": str(VAR / "clamd" / "clamd.sock"),
        "EMAIL_BACKEND": "file",
        "MUTUELLE_VAR_DIR": str(VAR),
        "STATIC_ROOT": str(VAR / "static"),
        "MEDIA_ROOT": str(VAR / "media"),
        "MUTUELLE_TLS_CERT": str(VAR / "tls" / "cert.pem"),
        "MUTUELLE_TLS_KEY": str(VAR / "tls" / "key.pem"),
        "MUTUELLE_BIND": f"127.0.0.1:{PORT}",
        "LOG_FORMAT": "json",
        "PYTHONUNBUFFERED": "1",
    }


def _dire(message: str) -> None:
    print(f"[make prod] {message}", flush=True)


def _lancer(*args: str, env: dict[str, str]) -> None:
    resultat = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if resultat.returncode != 0:
        sys.exit(f"[make prod] échec de « {' '.join(args)} » :\n{resultat.stdout[-2000:]}{resultat.stderr[-3000:]}")


def secret() -> None:
    chemin = VAR / "secret_key"
    if not chemin.exists():
        chemin.write_text(secrets.token_urlsafe(64))
        chemin.chmod(0o600)


def certificat() -> None:
    """A self-signed certificate for localhost and 127.0.0.1 (a deployment has its own)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    dossier = VAR / "tls"
    if (dossier / "cert.pem").exists():
        return
    dossier.mkdir(parents=True, exist_ok=True)
    cle = ec.generate_private_key(ec.SECP256R1())
    nom = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    maintenant = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(nom)
        .issuer_name(nom)
        .public_key(cle.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(maintenant - datetime.timedelta(minutes=5))
        .not_valid_after(maintenant + datetime.timedelta(days=90))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(cle, hashes.SHA256())
    )
    (dossier / "key.pem").write_bytes(
        cle.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (dossier / "key.pem").chmod(0o600)
    (dossier / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def base_de_donnees() -> None:
    import psycopg

    url = urllib.parse.urlsplit(DATABASE_URL)
    nom = url.path.lstrip("/")
    serveur = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(serveur, autocommit=True) as connexion:
        existe = connexion.execute("SELECT 1 FROM pg_database WHERE datname = %s", (nom,)).fetchone()
        if not existe:
            connexion.execute(f'CREATE DATABASE "{nom}"')
            _dire(f"base {nom} créée")


def antivirus() -> subprocess.Popen[bytes]:
    binaire = shutil.which("clamd") or "/usr/sbin/clamd"
    if not Path(binaire).exists():
        sys.exit("[make prod] clamd est absent : « make system-packages » installe clamav-daemon.")
    dossier = VAR / "clamd"
    base = dossier / "db"
    base.mkdir(parents=True, exist_ok=True)
    officielle = Path("/var/lib/clamav")
    if any(officielle.glob("*.c[lv]d")):
        repertoire = officielle
    else:
        (base / "eicar.ndb").write_text(f"Mutuelle.Test.EICAR:0:*:{EICAR.hex()}\n")
        repertoire = base
        _dire("antivirus : pas de base de signatures sur cette machine (freshclam), signature de test EICAR seule")
    socket = dossier / "clamd.sock"
    socket.unlink(missing_ok=True)
    (dossier / "clamd.conf").write_text(
        f"LocalSocket {socket}\nDatabaseDirectory {repertoire}\nForeground yes\n"
        f"LogFile {dossier / 'clamd.log'}\nStreamMaxLength 50M\n"
    )
    processus = subprocess.Popen([binaire, "-c", str(dossier / "clamd.conf")], stdout=subprocess.DEVNULL)
    limite = time.monotonic() + 120
    while not socket.exists():
        if processus.poll() is not None or time.monotonic() > limite:
            sys.exit(f"[make prod] clamd n'a pas démarré ; voir {dossier / 'clamd.log'}")
        time.sleep(0.2)
    return processus


def preparer(env: dict[str, str]) -> None:
    VAR.mkdir(parents=True, exist_ok=True)
    secret()
    certificat()
    base_de_donnees()
    _lancer(sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR", env=env)
    _lancer(sys.executable, "manage.py", "migrate", "--no-input", "-v", "0", env=env)
    _lancer(sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0", env=env)


def demo(env: dict[str, str]) -> None:
    """The demo's data when the database has none (tasks inline: the workers are not up yet)."""
    code = "from mutuelle.core.models import Mutuelle; print(Mutuelle.objects.exists())"
    resultat = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if resultat.stdout.strip().endswith("True"):
        _dire("données de démonstration déjà en place : comptes et mot de passe dans le README")
        return
    _dire("base vide : chargement des données de démonstration (une à deux minutes)…")
    sans_broker = {k: v for k, v in env.items() if k != "CELERY_BROKER_URL"}
    # Its output is the list of demo logins: shown as it comes.
    if subprocess.run([sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env=sans_broker).returncode != 0:
        sys.exit("[make prod] échec du chargement des données de démonstration")


def _client() -> urllib.request.OpenerDirector:
    """A client that trusts the local certificate only and keeps its cookies, as a browser would."""
    contexte = ssl.create_default_context(cafile=str(VAR / "tls" / "cert.pem"))
    return urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=contexte), urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def verifier(env: dict[str, str]) -> bool:
    """/readyz green within two minutes, then a member logs in and reads their space."""
    ouvreur = _client()
    limite = time.monotonic() + 120
    etat: dict[str, object] = {}
    while time.monotonic() < limite:
        try:
            with ouvreur.open(f"{BASE_URL}/readyz", timeout=5) as reponse:
                etat = json.loads(reponse.read())
                if reponse.status == 200:
                    break
        except OSError as exc:  # not listening yet, or 503 (HTTPError is an OSError)
            etat = {"erreur": str(exc)}
        time.sleep(1)
    else:
        _dire(f"/readyz ne passe pas au vert : {etat}")
        return False
    _dire(f"/readyz : {etat}")
    code = (
        "from mutuelle.members.models import Adherent;"
        "print(Adherent.objects.filter(user__is_active=True, email__gt='').order_by('numero').first().numero)"
    )
    numero = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    ).stdout.split()[-1]
    with ouvreur.open(f"{BASE_URL}/connexion/", timeout=10) as reponse:
        page = reponse.read().decode()
    jeton = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert jeton is not None
    donnees = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": jeton.group(1), "identifiant": numero, "secret": "demo-mutuelle-2026"}
    ).encode()
    requete = urllib.request.Request(
        f"{BASE_URL}/connexion/", data=donnees, headers={"Referer": f"{BASE_URL}/connexion/"}
    )
    with ouvreur.open(requete, timeout=20) as reponse:
        arrivee, texte = reponse.geturl(), reponse.read().decode()
    ok = arrivee.startswith(f"{BASE_URL}/espace/") and "Se déconnecter" in texte
    _dire(f"adhérent n° {numero} connecté, page {urllib.parse.urlsplit(arrivee).path} : {'ok' if ok else 'ÉCHEC'}")
    # Its style sheet: served by the web process under a name carrying its content's hash, for a year.
    feuille = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', texte)
    if feuille is None:
        _dire("la page ne cite aucune feuille de style au nom haché : ÉCHEC")
        return False
    with ouvreur.open(f"{BASE_URL}{feuille.group(1)}", timeout=10) as reponse:
        cache = reponse.headers.get("Cache-Control", "")
    statique = "max-age=315360000" in cache or "max-age=31536000" in cache
    _dire(f"{feuille.group(1)} : Cache-Control « {cache} » : {'ok' if statique else 'ÉCHEC'}")
    return ok and statique


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verifier", action="store_true", help="démarrer, vérifier, arrêter (CI)")
    options = parser.parse_args()
    env = _env()
    preparer(env)
    clamd = antivirus()
    try:
        demo(env)
        pile = subprocess.Popen(
            [sys.executable, "-m", "honcho", "start", "-f", str(ROOT / "deploy" / "Procfile"), "-d", str(ROOT)],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        _dire(f"en service sur {BASE_URL}/ (espace adhérent), {BASE_URL}/gestion/ (back office) ; Ctrl-C pour arrêter")
        _dire(f"santé : {BASE_URL}/healthz et {BASE_URL}/readyz ; certificat de test : {VAR / 'tls' / 'cert.pem'}")
        try:
            if options.verifier:
                return 0 if verifier(env) else 1
            return pile.wait()
        except KeyboardInterrupt:
            return 0
        finally:
            if pile.poll() is None:
                os.killpg(pile.pid, signal.SIGTERM)
                try:
                    pile.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(pile.pid, signal.SIGKILL)
    finally:
        clamd.terminate()
        clamd.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
