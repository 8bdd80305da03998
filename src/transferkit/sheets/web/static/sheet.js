/* transferkit web sheet: code step, drafts, show_if, rows, dot votes, submit.
 *
 * The page is rendered on the server from the template; this script only
 * reads and writes the answers (the shapes of transferkit.sheets.session.sent_answers),
 * shows questions whose show_if holds (the semantics of
 * transferkit.templates.model.Condition.is_met), saves drafts and submits.
 * No libraries, no external requests: everything goes to the page's own API.
 */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("tk-config").textContent);
  const T = cfg.texts;
  const sheet = document.querySelector(".tk-sheet");
  const form = sheet.querySelector(".tk-form");
  const fields = form.querySelector(".tk-questions");
  const submitButton = form.querySelector(".tk-submit");
  const summary = form.querySelector(".tk-error-summary");
  const confirmBox = form.querySelector(".tk-confirm");
  const feedbackBox = form.querySelector(".tk-feedback-box");
  const codeStep = sheet.querySelector(".tk-code-step");
  const codeInput = codeStep.querySelector(".tk-code input");
  const codeMessage = codeStep.querySelector(".tk-error");
  const questions = cfg.questions;
  const byId = {};
  const boxes = {};
  const votes = {};
  for (const q of questions) {
    byId[q.id] = q;
    boxes[q.id] = form.querySelector('.tk-question[data-qid="' + q.id + '"]');
    if (q.type === "dot_vote") votes[q.id] = {};
  }
  const state = {code: null, submitted: false, sending: false, timer: null, dirty: false, followUp: null};

  // ------------------------------------------------------------ show_if (Condition.is_met)
  function isEmpty(value) {
    if (value === null || value === undefined) return true;
    if (typeof value === "string") return value.trim() === "";
    if (Array.isArray(value)) return value.length === 0;
    if (typeof value === "object") return Object.keys(value).length === 0;
    return false;
  }
  /* JSON whitespace (space, tab, CR, LF): the only characters trimmed, as in Python's _JSON_SPACE. */
  const JSON_SPACE = /^[ \t\n\r]+|[ \t\n\r]+$/g;
  /* model._same: JSON values, no str(): strings (trimmed, any case), numbers by value, booleans. */
  function same(a, b) {
    if (typeof a === "boolean" || typeof b === "boolean") return a === b;
    if (typeof a === "number" && typeof b === "number") return a === b;
    if (typeof a === "string" && typeof b === "string") {
      return a.replace(JSON_SPACE, "").toLowerCase() === b.replace(JSON_SPACE, "").toLowerCase();
    }
    return false;
  }
  /* Condition.is_met; targets are the template's JSON values. */
  function isMet(cond, answers) {
    const value = answers[cond.question];
    const present = typeof value === "string" ? value.replace(JSON_SPACE, "") !== "" : !isEmpty(value);
    if (cond.op === "answered") return present === cond.answered;
    if (!present) return cond.op === "not_equals";
    const items = Array.isArray(value) ? value : [value];
    if (cond.op === "in") return items.some((a) => cond.targets.some((b) => same(a, b)));
    const hit = items.some((v) => same(v, cond.targets[0]));
    return cond.op === "equals" ? hit : !hit;
  }

  // ------------------------------------------------------------ reading answers
  /* _parse_number: "12" -> 12, "2,5" -> 2.5, "" -> null, anything else stays text. */
  function parseNumber(text) {
    if (text === null || text === undefined) return null;
    const raw = String(text).trim().replace(/,/g, ".");
    if (!raw) return null;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) return String(text).trim();
    return Number(raw);
  }
  /* Dates are typed in the page's format (de TT.MM.JJJJ, en YYYY-MM-DD; a dotted day-first
     date is understood in both) and sent as ISO YYYY-MM-DD; anything else is sent as typed,
     so that the server names the problem. */
  function isoDate(text) {
    const raw = String(text || "").trim();
    if (!raw) return null;
    let m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(raw);
    const parts = m ? [m[3], m[2], m[1]] : (m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(raw)) ? [m[1], m[2], m[3]] : null;
    if (!parts) return raw;
    const [y, mo, d] = parts.map(Number);
    const date = new Date(Date.UTC(y, mo - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return raw;
    return String(y).padStart(4, "0") + "-" + String(mo).padStart(2, "0") + "-" + String(d).padStart(2, "0");
  }
  function shownDate(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso));
    if (!m) return String(iso);
    return cfg.lang === "de" ? m[3] + "." + m[2] + "." + m[1] : m[1] + "-" + m[2] + "-" + m[3];
  }
  function checked(box) {
    return box.querySelector(".tk-choices input:checked");
  }
  function readRow(row, q) {
    const get = (cls) => row.querySelector(".tk-field-" + cls);
    if (q.type === "action_items") {
      return {
        what: get("what").value.trim(),
        who: get("who").value.trim(),
        due: isoDate(get("due").value),
        status: get("status").value,
      };
    }
    let weight = parseFloat(get("weight").value.replace(",", "."));
    if (!Number.isFinite(weight)) weight = 1.0;
    weight = Math.min(10, Math.max(0.1, weight));
    const levels = {};
    for (const input of row.querySelectorAll(".tk-field-level")) levels[input.dataset.level] = input.value.trim();
    const level = (cls) => (get(cls).value === "" ? null : parseInt(get(cls).value, 10));
    return {goal: get("goal").value.trim(), weight: weight, levels: levels,
            baseline: level("baseline"), follow_up: get("follow_up") ? level("follow_up") : null};
  }
  const readers = {
    text: (box) => {
      const value = box.querySelector("input").value;
      return value.trim() ? value : null;
    },
    long_text: (box, q) => {
      const value = box.querySelector("textarea").value;
      if (!value.trim()) return null;
      if (!q.one_per_line) return value;
      return value.split(/\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/).map((s) => s.trim()).filter((s) => s);
    },
    single_choice: (box) => {
      const input = checked(box);
      return input ? input.value : null;
    },
    likert: (box) => {
      const input = checked(box);
      return input ? parseInt(input.value, 10) : null;
    },
    multi_choice: (box) => {
      const values = Array.from(box.querySelectorAll(".tk-choices input:checked"), (i) => i.value);
      return values.length ? values : null;
    },
    scale: (box, q) => {
      if (!q.buttons) return parseNumber(box.querySelector("input").value);
      const pressed = box.querySelector('.tk-scale-btn[aria-pressed="true"]');
      return pressed ? parseInt(pressed.dataset.value, 10) : null;
    },
    number: (box) => parseNumber(box.querySelector("input").value),
    ranking: (box) => {
      const ranked = [];
      for (const row of box.querySelectorAll(".tk-rank-row")) {
        const rank = row.querySelector("select").value;
        if (rank !== "") ranked.push([parseInt(rank, 10), row.dataset.key]);
      }
      ranked.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      return ranked.length ? ranked.map((r) => r[1]) : null;
    },
    dot_vote: (box, q) => {
      const given = {};
      for (const [key, n] of Object.entries(votes[q.id])) if (n > 0) given[key] = n;
      return Object.keys(given).length ? given : null;
    },
    action_items: (box, q) => {
      const rows = Array.from(box.querySelectorAll(".tk-rows .tk-item-row"), (r) => readRow(r, q))
        .filter((r) => r.what || r.who || r.due);
      return rows.length ? rows : null;
    },
    gas_goal: (box, q) => {
      const rows = Array.from(box.querySelectorAll(".tk-rows .tk-item-row"), (r) => readRow(r, q))
        .filter((r) => r.goal || Object.values(r.levels).some((t) => t));
      return rows.length ? rows : null;
    },
  };
  function read(q) {
    return readers[q.type](boxes[q.id], q);
  }
  /* sent_answers(): visible questions, unanswered ones left out. */
  function answers() {
    const out = {};
    for (const q of questions) {
      if (boxes[q.id].hidden) continue;
      const value = read(q);
      if (value !== null) out[q.id] = value;
    }
    return out;
  }
  /* sent_answers(hidden=True): everything given, hidden questions too. */
  function draftAnswers() {
    const out = {};
    for (const q of questions) {
      const value = read(q);
      if (value !== null) out[q.id] = value;
    }
    return out;
  }
  /* show the questions whose show_if holds */
  function updateVisibility() {
    const current = {};
    for (const q of questions) {
      const shown = !q.show_if || isMet(q.show_if, current);
      boxes[q.id].hidden = !shown;
      if (shown) {
        const value = read(q);
        if (value !== null) current[q.id] = value;
      }
    }
  }

  // ------------------------------------------------------------ writing answers (drafts)
  function empty(element) {  // element.replaceChildren() is too new for some phones
    while (element.firstChild) element.removeChild(element.firstChild);
  }
  function addRow(box, values) {
    const template = box.querySelector(".tk-row-template");
    const row = template.content.firstElementChild.cloneNode(true);
    box.querySelector(".tk-rows").appendChild(row);
    if (values) fillRow(row, values);
    return row;
  }
  function fillRow(row, values) {
    const set = (cls, value) => {
      const el = row.querySelector(".tk-field-" + cls);
      if (el && value !== null && value !== undefined) el.value = String(value);
    };
    for (const key of ["what", "who", "status", "goal", "weight", "baseline", "follow_up"]) set(key, values[key]);
    if (values.due) set("due", shownDate(values.due));
    const levels = values.levels || {};
    for (const input of row.querySelectorAll(".tk-field-level")) {
      const text = levels[input.dataset.level];
      if (text !== undefined && text !== null) input.value = String(text);
    }
  }
  const writers = {
    text: (box, q, value) => {
      box.querySelector("input").value = Array.isArray(value) ? value.join("\n") : String(value);
    },
    long_text: (box, q, value) => {
      box.querySelector("textarea").value = Array.isArray(value) ? value.join("\n") : String(value);
    },
    single_choice: (box, q, value) => {
      for (const input of box.querySelectorAll(".tk-choices input")) input.checked = input.value === String(value);
    },
    multi_choice: (box, q, value) => {
      const wanted = new Set((Array.isArray(value) ? value : [value]).map(String));
      for (const input of box.querySelectorAll(".tk-choices input")) input.checked = wanted.has(input.value);
    },
    scale: (box, q, value) => {
      if (!q.buttons) {
        box.querySelector("input").value = String(value);
        return;
      }
      for (const b of box.querySelectorAll(".tk-scale-btn")) {
        const hit = b.dataset.value === String(value) || Number(b.dataset.value) === Number(value);
        b.setAttribute("aria-pressed", hit ? "true" : "false");
      }
    },
    number: (box, q, value) => {
      box.querySelector("input").value = String(value);
    },
    ranking: (box, q, value) => {
      (Array.isArray(value) ? value : []).forEach((key, i) => {
        for (const row of box.querySelectorAll(".tk-rank-row")) {
          if (row.dataset.key !== String(key) || i + 1 > q.n) continue;
          const select = row.querySelector("select");
          select.value = String(i + 1);
          select.dataset.rank = select.value;
        }
      });
    },
    dot_vote: (box, q, value) => {
      if (typeof value !== "object" || Array.isArray(value)) return;
      for (const [key, points] of Object.entries(value)) {
        const n = parseInt(points, 10);
        if (!Number.isNaN(n)) votes[q.id][key] = Math.max(0, n);
      }
      showVotes(q);
    },
    action_items: (box, q, value) => {
      if (!Array.isArray(value)) return;
      empty(box.querySelector(".tk-rows"));
      for (const item of value) if (item && typeof item === "object") addRow(box, item);
    },
  };
  writers.likert = writers.single_choice;
  writers.gas_goal = writers.action_items;
  /* a stale draft never breaks the page. */
  function setAnswers(values) {
    for (const [qid, value] of Object.entries(values || {})) {
      const q = byId[qid];
      if (!q || value === null || value === undefined) continue;
      try {
        writers[q.type](boxes[qid], q, value);
      } catch (error) {
        console.warn("could not restore the draft answer of " + qid, error);
      }
    }
    updateVisibility();
  }

  // ------------------------------------------------------------ dot votes
  function spent(q) {
    return Object.values(votes[q.id]).reduce((a, b) => a + b, 0);
  }
  function showVotes(q) {
    const box = boxes[q.id];
    const left = q.budget - spent(q);
    box.querySelector(".tk-vote-left").innerHTML = T.points_left
      .replace("{left}", String(left)).replace("{budget}", String(q.budget));
    for (const row of box.querySelectorAll(".tk-vote-row")) {
      row.querySelector(".tk-vote-count").textContent = String(votes[q.id][row.dataset.key] || 0);
    }
  }
  function vote(q, key, delta) {
    const now = votes[q.id][key] || 0;
    const next = now + delta;
    if (next < 0 || next > q.cap) return false;
    if (delta > 0 && spent(q) >= q.budget) return false;
    votes[q.id][key] = next;
    showVotes(q);
    return true;
  }
  function voteRow(key, label) {
    const row = document.createElement("div");
    row.className = "tk-vote-row tk-row tk-opt-" + key.replace(/[^A-Za-z0-9_-]/g, "_");
    row.dataset.key = key;
    const button = (cls, sign, aria) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = cls;
      b.textContent = sign;
      b.setAttribute("aria-label", aria);
      return b;
    };
    const count = document.createElement("span");
    count.className = "tk-vote-count";
    count.textContent = "0";
    const text = document.createElement("span");
    text.className = "tk-vote-label";
    text.textContent = label;
    row.append(button("tk-vote-minus", "−", T.vote_less), count,
               button("tk-vote-plus", "+", T.vote_more), text);
    return row;
  }
  async function refreshIdeas() {
    const ideaVotes = questions.filter((q) => q.type === "dot_vote" && q.source === "ideas");
    if (!ideaVotes.length) return;
    let ideas = [];
    try {
      const {status, data} = await api("ideas?" + cfg.query);
      if (status === 200 && Array.isArray(data.ideas)) ideas = data.ideas;
    } catch (error) {
      return;
    }
    for (const q of ideaVotes) {
      const box = boxes[q.id];
      const rows = box.querySelector(".tk-vote-rows");
      empty(rows);
      for (const [key, label] of ideas) rows.appendChild(voteRow(key, label));
      box.querySelector(".tk-vote-empty").hidden = ideas.length > 0;
      showVotes(q);
    }
  }

  // ------------------------------------------------------------ server
  function cookie(name) {
    for (const part of document.cookie.split(";")) {
      const [key, ...rest] = part.trim().split("=");
      if (key === name) return decodeURIComponent(rest.join("=")).replace(/^"|"$/g, "");
    }
    return "";
  }
  async function api(path, body, keepalive) {
    const options = {method: body === undefined ? "GET" : "POST", credentials: "same-origin", headers: {}};
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-XSRFToken"] = cookie("_xsrf");
      options.body = JSON.stringify(body);
      if (keepalive) options.keepalive = true;
    }
    const response = await fetch(cfg.api + path, options);
    let data;
    try {
      data = await response.json();
    } catch (error) {
      data = {ok: false, error: T.unexpected_error};
    }
    return {status: response.status, data: data};
  }

  // ------------------------------------------------------------ drafts
  async function saveDraft(keepalive) {
    clearTimeout(state.timer);
    state.timer = null;
    if (!state.code || state.submitted || !state.dirty || state.followUp || cfg.entry) return;
    state.dirty = false;
    try {
      const {status, data} = await api("draft", {query: cfg.query, code: state.code, answers: draftAnswers()}, keepalive);
      if (status === 409) done(data);  // sent meanwhile (another tab)
      else if (status !== 200 && status !== 422) state.dirty = true;  // 422: kept until submit
    } catch (error) {
      state.dirty = true;  // offline: saved with the next change or the submit
    }
  }
  function changed() {
    updateVisibility();
    if (!state.code || state.submitted) return;
    state.dirty = true;
    clearTimeout(state.timer);
    state.timer = setTimeout(saveDraft, 700);
  }
  window.addEventListener("pagehide", () => saveDraft(true));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") saveDraft(true);
  });

  // ------------------------------------------------------------ problems, confirmation
  function lines(element, messages) {
    empty(element);
    messages.forEach((message, i) => {
      if (i) element.appendChild(document.createElement("br"));
      element.appendChild(document.createTextNode("⚠ " + message));
    });
    element.hidden = messages.length === 0;
  }
  function message(problem) {  /* the server sends each problem in both languages */
    return problem["message_" + cfg.lang];
  }
  /* Each problem next to its question; problems of no shown question go to the summary. */
  function showProblems(problems, summaryText) {
    const grouped = {};
    const elsewhere = [];
    for (const p of problems) {
      if (boxes[p.question_id] && !boxes[p.question_id].hidden) (grouped[p.question_id] = grouped[p.question_id] || []).push(message(p));
      else elsewhere.push(message(p));
    }
    let first = null;
    for (const q of questions) {
      const box = boxes[q.id];
      const mine = grouped[q.id] || [];
      lines(box.querySelector(".tk-error"), mine);
      box.classList.toggle("tk-invalid", mine.length > 0);
      if (mine.length && !first) first = box;
    }
    if (summaryText) lines(summary, [summaryText, ...elsewhere]);
    else lines(summary, []);
    if (first) {
      revealBox(first);
      first.scrollIntoView({block: "center"});
    }
  }
  function done(data) {
    state.submitted = true;
    remember(null);
    clearTimeout(state.timer);
    showProblems([], "");
    confirmBox.textContent = data.message;
    confirmBox.hidden = false;
    submitButton.disabled = true;
    submitButton.hidden = true;
    fields.disabled = true;
    feedbackBox.innerHTML = data.feedback_html || "";  // built and escaped by the server
    if (pages.length) pager.nav.hidden = true;
  }
  async function submit(event) {
    event.preventDefault();
    if (state.sending || state.submitted || !state.code) return;
    state.sending = true;
    submitButton.disabled = true;
    submitButton.textContent = T.sending;
    clearTimeout(state.timer);
    state.dirty = false;
    if (state.followUp) return submitFollowUp();
    try {
      const {status, data} = cfg.entry
        ? await api("entry", {query: cfg.query, sheet: state.code, participant: entryParticipant(), answers: answers()})
        : await api("submit", {
          query: cfg.query, code: state.code, answers: answers(), draft_answers: draftAnswers(),
          company: companySelect.value || null,
        });
      if (status === 200 && data.ok && cfg.entry) entryStored(data);
      else if (status === 200 && data.ok) done(data);
      else if (status === 422 && Array.isArray(data.problems)) showProblems(data.problems, data.summary);
      else showProblems([], data.message || data.error || T.store_unavailable);
    } catch (error) {
      showProblems([], T.offline);
    } finally {
      state.sending = false;
      if (!state.submitted) {
        submitButton.disabled = false;
        submitButton.textContent = T.submit;
      }
    }
  }

  // ------------------------------------------------------------ GAS follow-up (second step)
  /* The server renders the participant's own goals (escaped) with a choice of the level
     reached; the ratings go to the follow-up API as {question id: [level or null per goal]}. */
  function showFollowUp(data) {
    const box = document.createElement("div");
    box.className = "tk-followup-box";
    box.innerHTML = data.follow_up_html || "";  // built and escaped by the server
    fields.hidden = true;
    fields.parentNode.insertBefore(box, fields);
    const intro = sheet.querySelector(".tk-head .tk-intro");  // the start's intro: goals are set
    if (intro) intro.hidden = true;
    state.followUp = box;
  }
  function ratings() {
    const out = {};
    for (const q of state.followUp.querySelectorAll(".tk-followup-q")) {
      const goals = q.querySelectorAll(".tk-followup-goal");
      out[q.dataset.qid] = Array.from(goals, (goal) => {
        const input = goal.querySelector(".tk-followup-rating:checked");
        return input ? parseInt(input.value, 10) : null;
      });
    }
    return out;
  }
  async function submitFollowUp() {
    try {
      const {status, data} = await api("follow-up", {query: cfg.query, code: state.code, ratings: ratings()});
      if (status === 200 && data.ok) {
        done(data);
        state.followUp.querySelectorAll("input").forEach((input) => { input.disabled = true; });
      } else if (status === 422 && Array.isArray(data.problems)) {
        lines(summary, [data.summary, ...data.problems.map(message)]);
        for (const goal of state.followUp.querySelectorAll(".tk-followup-goal")) {
          const open = goal.querySelector(".tk-followup-rating") && !goal.querySelector(".tk-followup-rating:checked");
          goal.classList.toggle("tk-invalid", Boolean(open));
        }
      } else {
        lines(summary, [data.message || data.error || T.store_unavailable]);
      }
    } catch (error) {
      lines(summary, [T.offline]);
    } finally {
      state.sending = false;
      if (!state.submitted) {
        submitButton.disabled = false;
        submitButton.textContent = T.submit;
      }
    }
  }

  // ------------------------------------------------------------ code step
  /* The code is kept for this tab only (a reload keeps the draft), never in the URL:
     browser history and shared tablets would show it to the next person. */
  const codeKey = "tk-code:" + cfg.query;
  function remember(code) {
    try {
      if (code) window.sessionStorage.setItem(codeKey, code);
      else window.sessionStorage.removeItem(codeKey);
    } catch (error) { /* storage off: the code is asked again after a reload */ }
  }
  function remembered() {
    try {
      return window.sessionStorage.getItem(codeKey);
    } catch (error) {
      return null;
    }
  }
  /* A participant not yet registered with a company picks it from the pilot's companies,
     so the answers count in that company's reports. Names are set as text, never HTML. */
  const companyBox = form.querySelector(".tk-company");
  const companySelect = companyBox.querySelector("select");
  function offerCompanies(data) {
    const offered = data.ask_company && Array.isArray(data.companies) ? data.companies : [];
    while (companySelect.options.length > 1) companySelect.remove(1);
    for (const [id, name] of offered) {
      const option = document.createElement("option");
      option.value = String(id);
      option.textContent = String(name);
      companySelect.appendChild(option);
    }
    companyBox.hidden = offered.length === 0;
  }
  function begin(data) {
    state.code = data.code;
    offerCompanies(data);
    form.querySelector(".tk-code-shown").textContent = data.code;
    remember(data.submitted ? null : data.code);
    codeStep.hidden = true;
    form.hidden = false;
    if (data.follow_up) showFollowUp(data);
    setAnswers(data.answers);
    fields.disabled = false;
    showSection(0, false);
    if (data.submitted) {
      done(data);
    } else {
      submitButton.disabled = false;
    }
    refreshIdeas();
  }
  async function open(code) {
    codeMessage.hidden = true;
    if (cfg.entry) {
      openEntry(code);
      return;
    }
    try {
      const {status, data} = await api("open", {query: cfg.query, code: code});
      if (status === 200 && data.ok) {
        begin(data);
        return;
      }
      lines(codeMessage, [data.message || data.error || T.unexpected_error]);
    } catch (error) {
      lines(codeMessage, [T.offline]);
    }
    form.hidden = true;
    codeStep.hidden = false;
  }
  codeStep.querySelector(".tk-code-start").addEventListener("click", () => open(codeInput.value));
  codeInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter") open(codeInput.value);
  });
  const generateButton = codeStep.querySelector(".tk-code-generate");  // not in data entry
  if (generateButton) generateButton.addEventListener("click", async () => {
    try {
      const {status, data} = await api("new-code");
      if (status === 200 && data.code) {
        codeInput.value = data.code;
        codeMessage.hidden = true;
        codeInput.focus();
      }
    } catch (error) {
      lines(codeMessage, [T.offline]);
    }
  });

  // ------------------------------------------------------------ sections (one at a time)
  /* A sheet with sections shows one section at a time, with a progress indicator and
     back/next; "next" first checks the section's shown required questions (the server
     checks everything again on submit). Without this script every section is shown. */
  const pages = cfg.sections || [];
  const ST = cfg.section_texts || {};
  const pager = {
    index: 0,
    sections: Array.from(form.querySelectorAll(".tk-section")),
    progress: form.querySelector(".tk-progress"),
    nav: form.querySelector(".tk-section-nav"),
  };
  function sectionIndexOf(qid) {
    return pages.findIndex((p) => p.questions.indexOf(qid) >= 0);
  }
  function showSection(i, focus) {
    if (!pages.length) return;
    pager.index = Math.max(0, Math.min(pages.length - 1, i));
    pager.sections.forEach((el, k) => { el.hidden = k !== pager.index; });
    const label = ST.progress.replace("{n}", String(pager.index + 1)).replace("{total}", String(pages.length));
    const bar = pager.progress.querySelector(".tk-progress-bar");
    pager.progress.querySelector(".tk-progress-text").textContent = label;
    bar.setAttribute("aria-valuenow", String(pager.index + 1));
    bar.setAttribute("aria-valuetext", label);
    pager.progress.querySelector(".tk-progress-fill").style.width = (100 * (pager.index + 1) / pages.length) + "%";
    pager.progress.hidden = false;
    pager.nav.hidden = state.submitted;
    pager.nav.querySelector(".tk-section-back").hidden = pager.index === 0;
    pager.nav.querySelector(".tk-section-next").hidden = pager.index === pages.length - 1;
    if (!state.submitted) submitButton.hidden = pager.index !== pages.length - 1;
    if (focus) {
      const heading = pager.sections[pager.index].querySelector(".tk-section-title");
      heading.focus();
      heading.scrollIntoView({block: "start"});
    }
  }
  /* the shown required questions of the current section that have no answer */
  function sectionMissing() {
    const page = pages[pager.index];
    return page.required.filter((qid) => !boxes[qid].hidden && read(byId[qid]) === null);
  }
  function nextSection() {
    const missing = sectionMissing();
    const page = pages[pager.index];
    for (const qid of page.questions) {
      const mine = missing.indexOf(qid) >= 0 ? [ST.required_missing.replace("{label}", page.labels[qid])] : [];
      lines(boxes[qid].querySelector(".tk-error"), mine);
      boxes[qid].classList.toggle("tk-invalid", mine.length > 0);
    }
    if (missing.length) {
      lines(summary, [ST.section_incomplete]);
      boxes[missing[0]].scrollIntoView({block: "center"});
      const input = boxes[missing[0]].querySelector("input, select, textarea, button");
      if (input) input.focus();
      return;
    }
    lines(summary, []);
    showSection(pager.index + 1, true);
  }
  /* a problem from the server: open the section of its question */
  function revealBox(box) {
    if (!pages.length) return;
    const i = sectionIndexOf(box.dataset.qid);
    if (i >= 0 && pager.sections[i].hidden) showSection(i, false);
  }
  if (pages.length) {
    pager.nav.querySelector(".tk-section-next").addEventListener("click", nextSection);
    pager.nav.querySelector(".tk-section-back").addEventListener("click", () => {
      lines(summary, []);
      showSection(pager.index - 1, true);
    });
  }

  // ------------------------------------------------------------ data entry (moderator)
  /* The moderator types in paper sheets one after another (transferkit.sheets.web.entry):
     the code step asks the sheet's number; stored sheets clear the form for the next one.
     The server decides whether this is allowed (moderator secret); no drafts are kept. */
  const ET = cfg.entry_texts || {};
  const blankRows = {};
  for (const q of questions) {
    const rows = boxes[q.id].querySelector(".tk-rows");
    if (rows) blankRows[q.id] = rows.cloneNode(true);
  }
  function entryParticipant() {
    const input = codeStep.querySelector(".tk-entry-participant");
    return input && input.value.trim() ? input.value.trim() : null;
  }
  async function openEntry(number) {
    const sheetNo = String(number || "").trim();
    try {
      const {status, data} = await api("entry", {query: cfg.query, sheet: sheetNo, participant: entryParticipant()});
      if (status !== 200 || !data.ok) {
        lines(codeMessage, [data.message || data.error || T.unexpected_error]);
        return;
      }
      state.code = data.sheet;
      form.querySelector(".tk-code-shown").textContent = ET.shown.replace("{sheet}", data.sheet);
      codeStep.hidden = true;
      form.hidden = false;
      fields.disabled = false;
      submitButton.disabled = false;
      confirmBox.hidden = true;
      showProblems([], data.message || "");
      showSection(0, true);
      const first = fields.querySelector("input, select, textarea, button");
      if (!pages.length && first) first.focus();
    } catch (error) {
      lines(codeMessage, [T.offline]);
    }
  }
  function clearSheet() {
    form.reset();
    for (const b of form.querySelectorAll(".tk-scale-btn")) b.setAttribute("aria-pressed", "false");
    for (const select of form.querySelectorAll(".tk-rank")) select.dataset.rank = "";
    for (const q of questions) {
      if (q.type === "dot_vote") {
        votes[q.id] = {};
        showVotes(q);
      }
      const rows = boxes[q.id].querySelector(".tk-rows");
      if (rows && blankRows[q.id]) rows.parentNode.replaceChild(blankRows[q.id].cloneNode(true), rows);
    }
    showProblems([], "");
    updateVisibility();
  }
  function entryStored(data) {
    clearSheet();
    state.code = null;
    form.hidden = true;
    codeStep.hidden = false;
    const note = codeStep.querySelector(".tk-entry-done");
    note.textContent = data.message;
    note.hidden = false;
    codeInput.value = "";
    const who = codeStep.querySelector(".tk-entry-participant");
    if (who) who.value = "";
    codeInput.focus();
  }

  // ------------------------------------------------------------ events
  form.addEventListener("input", changed);
  form.addEventListener("change", (event) => {
    const select = event.target.closest(".tk-rank");
    if (select && select.value !== "") {  // a rank is given once: the other option gets the old rank
      const box = select.closest(".tk-question");
      const previous = select.dataset.rank || "";
      for (const other of box.querySelectorAll(".tk-rank")) {
        if (other !== select && other.value === select.value) {
          other.value = previous;
          other.dataset.rank = previous;
        }
      }
    }
    if (select) select.dataset.rank = select.value;
    changed();
  });
  form.addEventListener("click", (event) => {
    const target = event.target.closest("button");
    if (!target || target.type === "submit" || fields.disabled) return;
    const box = target.closest(".tk-question");
    const q = box ? byId[box.dataset.qid] : null;
    if (!q) return;
    if (target.classList.contains("tk-scale-btn")) {
      for (const b of box.querySelectorAll(".tk-scale-btn")) b.setAttribute("aria-pressed", b === target ? "true" : "false");
    } else if (target.classList.contains("tk-vote-plus") || target.classList.contains("tk-vote-minus")) {
      const key = target.closest(".tk-vote-row").dataset.key;
      if (!vote(q, key, target.classList.contains("tk-vote-plus") ? 1 : -1)) return;
    } else if (target.classList.contains("tk-add-row")) {
      addRow(box).querySelector("input").focus();
    } else if (target.classList.contains("tk-remove-row")) {
      target.closest(".tk-item-row").remove();
    } else if (target.classList.contains("tk-vote-refresh")) {
      refreshIdeas();
      return;
    } else {
      return;
    }
    changed();
  });
  form.addEventListener("submit", submit);
  form.addEventListener("keydown", (event) => {  // Enter (a phone's "Go") does not submit half a sheet
    if (event.key === "Enter" && event.target.tagName === "INPUT") event.preventDefault();
  });

  // for tests: the same functions the page uses
  window.tkSheet = {isMet: isMet, answers: answers, draftAnswers: draftAnswers,
                    parseNumber: parseNumber, ratings: () => (state.followUp ? ratings() : null)};

  const url = new URL(window.location.href);
  if (url.searchParams.has("code") || (cfg.entry && url.searchParams.has("token"))) {
    url.searchParams.delete("code");  // an old link with a code: out of the address bar
    if (cfg.entry) url.searchParams.delete("token");  // the moderator secret too (a cookie now)
    window.history.replaceState(null, "", url.toString());
  }
  const saved = cfg.entry ? null : remembered();
  if (saved) open(saved);
  else codeInput.focus();
})();
