/* transferkit live vote on a phone: every text is set as textContent, never as HTML. */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("tk-vote-config").textContent);
  const T = cfg.texts;
  const $ = (selector) => document.querySelector(selector);
  let code = "";
  let vote = null;
  let points = {};

  function cookie(name) {
    for (const part of document.cookie.split(";")) {
      const [key, ...rest] = part.trim().split("=");
      if (key === name) return decodeURIComponent(rest.join("=")).replace(/^"|"$/g, "");
    }
    return "";
  }
  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
  }
  async function api(path, body) {
    const response = await fetch(cfg.api + path, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-XSRFToken": cookie("_xsrf")},
      body: JSON.stringify(body),
    });
    let data = {};
    try { data = await response.json(); } catch (error) { data = {}; }
    return {status: response.status, data: data};
  }
  function showError(message) {
    const box = $(".tk-vote-error");
    box.textContent = message || "";
    box.hidden = !message;
  }
  function used() {
    return Object.values(points).reduce((a, b) => a + b, 0);
  }
  function render() {
    const list = $(".tk-vote-items");
    list.textContent = "";
    const rules = [fill(T.budget, {budget: vote.budget})];
    if (vote.max_per_item) rules.push(fill(T.max_per_item, {max: vote.max_per_item}));
    $(".tk-vote-rules").textContent = rules.join(" ");
    if (!vote.items.length) {
      const p = document.createElement("p");
      p.textContent = T.no_items;
      list.appendChild(p);
    }
    for (const [key, label] of vote.items) {
      const row = document.createElement("div");
      row.className = "tk-vote-row";
      row.dataset.item = key;
      const minus = document.createElement("button");
      minus.type = "button";
      minus.className = "tk-vote-minus";
      minus.textContent = "−";
      minus.setAttribute("aria-label", "− " + label);
      const count = document.createElement("span");
      count.className = "tk-vote-count";
      count.textContent = String(points[key] || 0);
      const plus = document.createElement("button");
      plus.type = "button";
      plus.className = "tk-vote-plus";
      plus.textContent = "+";
      plus.setAttribute("aria-label", "+ " + label);
      const text = document.createElement("span");
      text.className = "tk-vote-label";
      text.textContent = label;
      minus.disabled = !vote.accepting || !(points[key] > 0);
      plus.disabled = !vote.accepting || used() >= vote.budget ||
        (vote.max_per_item && (points[key] || 0) >= vote.max_per_item);
      minus.addEventListener("click", () => { change(key, -1); });
      plus.addEventListener("click", () => { change(key, 1); });
      row.append(minus, count, plus, text);
      list.appendChild(row);
    }
    $(".tk-vote-left").textContent = (vote.budget - used()) + " / " + vote.budget + " " + T.left;
    $(".tk-vote-send").disabled = !vote.accepting || !vote.items.length;
    const results = $(".tk-vote-results");
    results.hidden = !vote.results;
    const ol = $(".tk-vote-result-list");
    ol.textContent = "";
    for (const [label, n] of vote.results || []) {
      const li = document.createElement("li");
      li.textContent = label + ": " + n;
      ol.appendChild(li);
    }
  }
  function change(key, step) {
    const next = (points[key] || 0) + step;
    if (next < 0) return;
    points[key] = next;
    if (!next) delete points[key];
    $(".tk-vote-saved").hidden = true;
    render();
  }
  function take(data) {
    vote = data;
    const known = new Set(vote.items.map((item) => item[0]));
    points = {};
    for (const [key, n] of Object.entries(vote.ballot || {})) if (known.has(key)) points[key] = n;
    $(".tk-vote-box").hidden = false;
    $(".tk-vote-code").hidden = true;
    render();
  }
  async function open() {
    const {status, data} = await api("vote/open", {query: cfg.query, code: code});
    if (status === 200) {
      showError("");
      take(data);
    } else {
      showError(data.message || data.error || ("HTTP " + status));
      if (data.code === "no_code") $(".tk-vote-code").hidden = false;
    }
  }
  async function send() {
    $(".tk-vote-send").disabled = true;
    const {status, data} = await api("vote/cast", {query: cfg.query, code: code, points: points});
    if (status === 200) {
      showError("");
      take(data);
      const saved = $(".tk-vote-saved");
      saved.textContent = data.message || T.saved;
      saved.hidden = false;
    } else {
      showError(data.message || data.error || ("HTTP " + status));
      render();
    }
  }
  $(".tk-vote-start").addEventListener("click", () => {
    code = $("#tk-vote-code-input").value.trim().toUpperCase();
    if (!code) { showError(T.error_no_code); return; }
    open();
  });
  $("#tk-vote-code-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter") $(".tk-vote-start").click();
  });
  $(".tk-vote-reload").addEventListener("click", open);
  $(".tk-vote-send").addEventListener("click", send);
})();
