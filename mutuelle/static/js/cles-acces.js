/* Passkeys (WebAuthn): add one from "Sécurité de mon compte", use one at the login's second step,
   or alone on the login page (passwordless: the block is shown only where the browser has the API).
   The server (py_webauthn) sends options as JSON with base64url fields; the browser's API wants
   ArrayBuffers: the two helpers below convert both ways. No inline script: CSP stays strict. */
(function () {
  "use strict";

  function versOctets(b64url) {
    var b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var brut = atob(b64);
    var octets = new Uint8Array(brut.length);
    for (var i = 0; i < brut.length; i++) { octets[i] = brut.charCodeAt(i); }
    return octets.buffer;
  }

  function versB64url(buffer) {
    var octets = new Uint8Array(buffer);
    var brut = "";
    for (var i = 0; i < octets.length; i++) { brut += String.fromCharCode(octets[i]); }
    return btoa(brut).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function jetonCsrf() {
    var champ = document.querySelector("input[name=csrfmiddlewaretoken]");
    return champ ? champ.value : "";
  }

  function poster(url, corps) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": jetonCsrf(), "Content-Type": "application/json", "Accept": "application/json"},
      body: corps || "{}"
    }).then(function (reponse) {
      return reponse.json().then(function (donnees) { donnees._statut = reponse.status; return donnees; });
    });
  }

  function identifiants(liste) {
    return (liste || []).map(function (c) {
      return {type: c.type, id: versOctets(c.id), transports: c.transports};
    });
  }

  function afficherErreur(bloc, texte) {
    var zone = bloc.querySelector("[data-role=erreur]");
    if (zone) { zone.textContent = texte; zone.hidden = false; }
  }

  function messageNavigateur(erreur) {
    if (erreur && erreur.name === "NotAllowedError") {
      return "Opération annulée ou délai dépassé. Réessayez.";
    }
    if (erreur && erreur.name === "InvalidStateError") {
      return "Cette clé est déjà enregistrée pour votre compte.";
    }
    return "Votre navigateur n'a pas pu utiliser la clé d'accès.";
  }

  function ajouter(bloc) {
    if (!window.PublicKeyCredential) {
      afficherErreur(bloc, "Ce navigateur ne gère pas les clés d'accès.");
      return;
    }
    var nom = (document.getElementById("nom-cle") || {}).value || "";
    poster(bloc.dataset.options).then(function (options) {
      if (options._statut === 403 && options.reauth) { window.location.href = bloc.dataset.confirmer; return null; }
      if (options._statut !== 200) { throw new Error(options.erreur || "options"); }
      var publicKey = Object.assign({}, options, {
        challenge: versOctets(options.challenge),
        user: Object.assign({}, options.user, {id: versOctets(options.user.id)}),
        excludeCredentials: identifiants(options.excludeCredentials)
      });
      delete publicKey._statut;
      return navigator.credentials.create({publicKey: publicKey});
    }).then(function (cle) {
      if (!cle) { return null; }
      var corps = JSON.stringify({
        id: cle.id,
        rawId: versB64url(cle.rawId),
        type: cle.type,
        response: {
          clientDataJSON: versB64url(cle.response.clientDataJSON),
          attestationObject: versB64url(cle.response.attestationObject),
          transports: cle.response.getTransports ? cle.response.getTransports() : []
        },
        clientExtensionResults: cle.getClientExtensionResults ? cle.getClientExtensionResults() : {}
      });
      return poster(bloc.dataset.ajouter + "?nom=" + encodeURIComponent(nom), corps);
    }).then(function (resultat) {
      if (!resultat) { return; }
      if (resultat._statut === 200 && resultat.suite) { window.location.href = resultat.suite; return; }
      afficherErreur(bloc, resultat.erreur || "La clé d'accès n'a pas pu être enregistrée.");
    }).catch(function (erreur) { afficherErreur(bloc, messageNavigateur(erreur)); });
  }

  function connecter(bloc) {
    if (!window.PublicKeyCredential) {
      afficherErreur(bloc, "Ce navigateur ne gère pas les clés d'accès : utilisez un code.");
      return;
    }
    var confiance = document.querySelector("input[name=confiance]");
    poster(bloc.dataset.options).then(function (options) {
      if (options._statut !== 200) { throw new Error(options.erreur || "options"); }
      var publicKey = Object.assign({}, options, {
        challenge: versOctets(options.challenge),
        allowCredentials: identifiants(options.allowCredentials)
      });
      delete publicKey._statut;
      return navigator.credentials.get({publicKey: publicKey});
    }).then(function (cle) {
      var corps = JSON.stringify({
        id: cle.id,
        rawId: versB64url(cle.rawId),
        type: cle.type,
        response: {
          clientDataJSON: versB64url(cle.response.clientDataJSON),
          authenticatorData: versB64url(cle.response.authenticatorData),
          signature: versB64url(cle.response.signature),
          userHandle: cle.response.userHandle ? versB64url(cle.response.userHandle) : null
        },
        clientExtensionResults: cle.getClientExtensionResults ? cle.getClientExtensionResults() : {}
      });
      var sep = bloc.dataset.verifier.indexOf("?") >= 0 ? "&" : "?";
      var url = bloc.dataset.verifier + (confiance && confiance.checked ? sep + "confiance=1" : "");
      return poster(url, corps);
    }).then(function (resultat) {
      if (resultat.suite) { window.location.href = resultat.suite; return; }
      afficherErreur(bloc, resultat.erreur || "La clé d'accès n'a pas été reconnue.");
    }).catch(function (erreur) { afficherErreur(bloc, messageNavigateur(erreur)); });
  }

  var seule = document.querySelector("#cle-acces[data-sans-mot-de-passe]");
  if (seule && window.PublicKeyCredential) { seule.hidden = false; }

  document.addEventListener("click", function (evenement) {
    var bouton = evenement.target.closest("[data-action]");
    if (!bouton) { return; }
    if (bouton.dataset.action === "cle-ajout") { ajouter(bouton.closest("#cle-ajout")); }
    if (bouton.dataset.action === "cle-connexion") { connecter(bouton.closest("#cle-acces")); }
  });
})();
