// The projector view: polls the room's state once a second and draws the current slide.
// Participants' texts are set with textContent only (never as HTML). No secret is read or
// kept here: the view key is an HttpOnly cookie the server set.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("tk-projector-config").textContent);
  var t = config.texts;
  var POLL_MS = 1000;
  var last = "";
  var timerEnd = null;
  var timerShown = false;

  function $(selector) { return document.querySelector(selector); }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : m;
    });
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showSlide(slide) {
    var names = ["join", "question", "inputs", "results"];
    if (names.indexOf(slide) < 0) slide = "join";
    names.forEach(function (name) {
      $(".tk-slide-" + name).hidden = name !== slide;
    });
    $(".tk-p-footer").hidden = slide === "join";
    document.body.setAttribute("data-slide", slide);
  }

  function fitCards(list, more, total) {
    // keep the newest cards that fit on the screen; say how many there are in all
    var box = list.parentNode;
    while (list.children.length > 1 && box.scrollHeight > box.clientHeight + 1) {
      list.removeChild(list.firstChild);
    }
    var shown = list.children.length;
    more.textContent = shown < total ? fill(t.more_inputs, { shown: shown, total: total }) : "";
  }

  function render(c) {
    showSlide(c.slide);
    $(".tk-p-title").textContent = c.title;
    $(".tk-p-count").textContent = fill(t.joined, { n: c.joined });
    var prompt = (c.prompts && c.prompts.length) ? c.prompts.join(" · ") : c.heading;
    $(".tk-p-joinprompt").textContent = prompt;
    $(".tk-p-heading").textContent = c.heading;
    var prompts = $(".tk-p-prompts");
    clear(prompts);
    (c.prompts || []).forEach(function (p) { prompts.appendChild(el("p", "tk-p-prompt", p)); });
    $(".tk-p-intro").textContent = c.intro || "";
    $(".tk-p-prompt-small").textContent = prompt;
    var cards = $(".tk-p-cards");
    clear(cards);
    if (!c.cards.length) {
      cards.appendChild(el("li", "tk-p-empty", t.no_inputs));
    }
    c.cards.forEach(function (text) { cards.appendChild(el("li", "tk-p-card", text)); });
    if (c.slide === "inputs" && c.cards.length) fitCards(cards, $(".tk-p-more"), c.card_count);
    else $(".tk-p-more").textContent = "";
    var chart = $(".tk-p-chart");
    clear(chart);
    var res = c.results;
    var rows = res.rows || [];
    var most = rows.reduce(function (m, r) { return Math.max(m, r[1]); }, 0) || 1;
    rows.forEach(function (r) {
      var track = el("div", "tk-p-bar-track");
      var bar = el("div", "tk-p-bar");
      bar.style.width = (100 * r[1] / most).toFixed(1) + "%";
      track.appendChild(bar);
      var label = el("div", "tk-p-bar-label", r[0]);
      var value = el("div", "tk-p-bar-value", String(r[1]));
      value.setAttribute("aria-label", r[1] + " " + t.points);
      chart.appendChild(label);
      chart.appendChild(track);
      chart.appendChild(value);
    });
    var note = !res.revealed ? t.hidden : (rows.length ? "" : t.no_votes);
    if (res.voters) note = (note ? note + " " : "") + fill(t.voters, { n: res.voters });
    $(".tk-p-voters").textContent = note;
    timerEnd = c.timer ? Date.now() + 1000 * c.timer.left : null;
    tick();
  }

  function tick() {
    var node = $(".tk-p-timer");
    if (timerEnd === null) {
      if (timerShown) { node.hidden = true; timerShown = false; }
      return;
    }
    var left = Math.max(0, Math.round((timerEnd - Date.now()) / 1000));
    var text = left > 0
      ? String(Math.floor(left / 60)).padStart(2, "0") + ":" + String(left % 60).padStart(2, "0")
      : t.time_up;
    if (node.textContent !== text) node.textContent = text;
    node.classList.toggle("tk-p-ending", left <= 60);
    node.hidden = false;
    timerShown = true;
  }

  function poll() {
    fetch(config.state, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.text();
      })
      .then(function (body) {
        $(".tk-p-offline").hidden = true;
        if (body !== last) {
          last = body;
          render(JSON.parse(body));
        }
        setTimeout(poll, POLL_MS);
      })
      .catch(function () {
        $(".tk-p-offline").hidden = false;
        setTimeout(poll, 2 * POLL_MS);
      });
  }

  render(config.content);
  last = "";
  setInterval(tick, 250);
  window.addEventListener("resize", function () { last = ""; });
  window.tkProjector = { render: render, config: config };
  setTimeout(poll, POLL_MS);
})();
