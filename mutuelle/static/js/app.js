/* The site's one script for every page (no inline script: the CSP forbids it). Loaded in <head> so the
   folded phone menu does not flash open; everything else waits for the document.
   - The phone menu: one header row, the navigation behind a « Menu » button (open without script).
   - The web app: registers the service worker (core/sw.js); on the card's page, asks it to keep the
     page and the PDFs marked data-hors-ligne; says so when the page is shown without network.
   - The "hors ligne" page: shows the link to the card when one is kept on this device. */
(function () {
  "use strict";
  var racine = document.documentElement;
  racine.classList.add("js");
  var script = document.currentScript;
  var urlServiceWorker = script ? script.getAttribute("data-service-worker") : null;
  var CACHE_PERSONNEL = "carte-hors-ligne";

  function menu() {
    var bouton = document.querySelector(".menu-bouton");
    var nav = bouton && document.getElementById(bouton.getAttribute("aria-controls"));
    if (!bouton || !nav) { return; }
    bouton.hidden = false;
    bouton.addEventListener("click", function () {
      var ouvert = bouton.getAttribute("aria-expanded") === "true";
      bouton.setAttribute("aria-expanded", ouvert ? "false" : "true");
      nav.classList.toggle("ouverte", !ouvert);
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && bouton.getAttribute("aria-expanded") === "true") {
        bouton.setAttribute("aria-expanded", "false");
        nav.classList.remove("ouverte");
        bouton.focus();
      }
    });
  }

  function etatReseau() {
    var horsLigne = !navigator.onLine;
    document.querySelectorAll(".hors-ligne-bandeau").forEach(function (el) { el.hidden = !horsLigne; });
    racine.classList.toggle("hors-ligne", horsLigne);
  }

  function garderLaCarte(registration) {
    var bloc = document.querySelector("[data-garder-hors-ligne]");
    if (!bloc || !navigator.onLine) { return; }
    var urls = [window.location.pathname];
    bloc.querySelectorAll("a[data-hors-ligne]").forEach(function (a) { urls.push(a.getAttribute("href")); });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "garde") { bloc.setAttribute("data-gardee", "oui"); }
    });
    var actif = registration.active || navigator.serviceWorker.controller;
    if (actif) { actif.postMessage({ type: "garder", urls: urls }); }
  }

  function oublierALaDeconnexion() {
    document.querySelectorAll("form[data-deconnexion]").forEach(function (form) {
      form.addEventListener("submit", function () {
        if (navigator.serviceWorker && navigator.serviceWorker.controller) {
          navigator.serviceWorker.controller.postMessage({ type: "oublier" });
        }
      });
    });
  }

  function pageHorsLigne() {
    var bloc = document.querySelector("[data-carte-gardee]");
    if (!bloc || !window.caches) { return; }
    caches.open(CACHE_PERSONNEL).then(function (cache) {
      return cache.match(bloc.getAttribute("data-carte-gardee"));
    }).then(function (copie) {
      bloc.querySelector(".si-carte").hidden = !copie;
      bloc.querySelector(".sans-carte").hidden = !!copie;
    });
  }

  function serviceWorker() {
    if (!urlServiceWorker || !("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.register(urlServiceWorker, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(garderLaCarte).catch(function () { /* no offline copy: the site works as before */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    menu();
    etatReseau();
    window.addEventListener("online", etatReseau);
    window.addEventListener("offline", etatReseau);
    oublierALaDeconnexion();
    pageHorsLigne();
    serviceWorker();
  });
})();
