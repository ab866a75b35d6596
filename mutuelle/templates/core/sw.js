/* The member web app's service worker (served at /sw.js by core.views.service_worker).

   - The style sheets, scripts and icons are kept on install and answered from the cache.
   - The tiers-payant card's page is asked of the network first; the copy received last is kept and
     shown when there is no network, with the PDFs it lists (the card, the attestation de droits),
     which the page sends here to keep (static/js/app.js). A document's file never changes, so one
     already kept is not fetched again.
   - Any other page without network gets the "hors ligne" page, which holds no personal data.
   - Logging out, or a card page answered by the login page, forgets the kept card and documents.
   The server's answers vary on the language and the cookie; copies are looked up ignoring Vary (the
   personal ones are this device's one member's, forgotten at logout). */
"use strict";

const CONFIG = {{ config|safe }};
const STATIQUE = "statique-" + CONFIG.version;
const PERSONNEL = "carte-hors-ligne";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIQUE).then(function (cache) { return cache.addAll(CONFIG.precharger); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (noms) {
      return Promise.all(noms.filter(function (nom) {
        return nom.indexOf("statique-") === 0 && nom !== STATIQUE;
      }).map(function (nom) { return caches.delete(nom); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function oublier() {
  return caches.delete(PERSONNEL);
}

function garder(urls) {
  // The card's page is fetched again (the page that asked may predate this worker); PDFs once.
  return caches.open(PERSONNEL).then(function (cache) {
    return cache.keys().then(function (anciennes) {
      var voulues = urls.map(function (u) { return new URL(u, self.location.origin).href; });
      return Promise.all(anciennes.filter(function (r) { return voulues.indexOf(r.url) < 0; })
        .map(function (r) { return cache.delete(r); }))
        .then(function () {
          return Promise.all(voulues.map(function (url) {
            var page = new URL(url).pathname === CONFIG.urls.carte;
            return cache.match(url, { ignoreVary: true }).then(function (deja) {
              if (deja && !page) { return null; }
              return fetch(url, { credentials: "same-origin", headers: { "X-Mutuelle-Hors-Ligne": "1" } })
                .then(function (reponse) {
                  if (reponse.ok && !reponse.redirected) { return cache.put(url, reponse); }
                  if (reponse.redirected) { return oublier(); }
                  return null;
                });
            });
          }));
        });
    });
  });
}

self.addEventListener("message", function (event) {
  var donnees = event.data || {};
  if (donnees.type === "garder" && Array.isArray(donnees.urls)) {
    event.waitUntil(garder(donnees.urls).then(function () {
      if (event.source) { event.source.postMessage({ type: "garde" }); }
    }));
  } else if (donnees.type === "oublier") {
    event.waitUntil(oublier());
  }
});

function depuisLeCache(requete) {
  return caches.match(requete, { ignoreVary: true }).then(function (copie) {
    return copie || fetch(requete).then(function (reponse) {
      if (reponse.ok) {
        var double = reponse.clone();
        caches.open(STATIQUE).then(function (cache) { cache.put(requete, double); });
      }
      return reponse;
    });
  });
}

function pageHorsLigne() {
  return caches.match(CONFIG.urls.hors_ligne).then(function (page) {
    return page || new Response("Hors connexion.", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  });
}

self.addEventListener("fetch", function (event) {
  var requete = event.request;
  var url = new URL(requete.url);
  if (url.origin !== self.location.origin) { return; }
  if (requete.method === "POST" && url.pathname === CONFIG.urls.deconnexion) {
    event.waitUntil(oublier());
    return;
  }
  if (requete.method !== "GET") { return; }
  if (url.pathname.indexOf(CONFIG.urls.statique) === 0 || url.pathname === CONFIG.urls.marque) {
    event.respondWith(depuisLeCache(requete));
    return;
  }
  if (url.pathname === CONFIG.urls.carte && requete.mode === "navigate") {
    event.respondWith(fetch(requete).then(function (reponse) {
      if (reponse.ok && !reponse.redirected) {
        var copie = reponse.clone();
        caches.open(PERSONNEL).then(function (cache) { cache.put(CONFIG.urls.carte, copie); });
      } else if (reponse.redirected && new URL(reponse.url).pathname.indexOf(CONFIG.urls.connexion) === 0) {
        oublier();
      }
      return reponse;
    }).catch(function () {
      return caches.open(PERSONNEL).then(function (cache) { return cache.match(CONFIG.urls.carte, { ignoreVary: true }); })
        .then(function (copie) { return copie || pageHorsLigne(); });
    }));
    return;
  }
  event.respondWith(fetch(requete).catch(function () {
    return caches.open(PERSONNEL).then(function (cache) { return cache.match(requete, { ignoreVary: true }); })
      .then(function (copie) {
        if (copie) { return copie; }
        if (requete.mode === "navigate") { return pageHorsLigne(); }
        return Response.error();
      });
  }));
});
