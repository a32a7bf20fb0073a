// The exam screen: autosave queue, server-synced timer, keyboard shortcuts that can be turned
// off, and the end-exam dialog.
//
// Every change goes into a queue kept in localStorage before it is sent, so a reload, a crash
// or a closed tab loses nothing: the next page of this attempt sends what is still waiting.
// The server is the clock; the browser only counts down between the server's answers.
(function () {
  "use strict";

  const form = document.getElementById("exam-form");
  if (!form) return;

  const attemptId = form.dataset.attempt;
  const position = Number(form.dataset.position || 0); // 0 on the review screen
  const selectCount = Number(form.dataset.select || 1);
  const multiple = form.dataset.multiple === "1";
  // "choice" (radio buttons or checkboxes), or "ordering" / "matching": one <select> per step or
  // prompt, whose values are positions or displayed responses (never anything of the key).
  const kind = form.dataset.kind || "choice";
  // The letters that choose an option, as the page shows them (F, N and P stay flag and move).
  const letterKeys = (form.dataset.letterKeys || "").toUpperCase();
  const saveUrl = form.dataset.saveUrl;
  const submitUrl = form.dataset.submitUrl;
  const resultUrl = form.dataset.resultUrl;
  const questionUrl = (n) => form.dataset.questionUrl.replace(/\/0\/$/, "/" + n + "/");
  const csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  const storeKey = "mockexam:attempt:" + attemptId + ":pending";
  const statusEl = document.getElementById("save-status");
  const timerEl = document.getElementById("timer");
  const timerValue = document.getElementById("timer-value");
  const announcer = document.getElementById("time-announcer");

  let revision = Number(form.dataset.revision || 0);
  const locked = form.dataset.locked === "1"; // study mode, once the answer is checked
  let inFlight = false;
  let retryDelay = 1000;
  let retryTimer = null;
  let finished = false;

  // ---- the durable queue -------------------------------------------------------------
  function loadQueue() {
    try {
      return JSON.parse(localStorage.getItem(storeKey) || "{}");
    } catch (e) {
      return {};
    }
  }
  function storeQueue(queue) {
    try {
      if (Object.keys(queue).length) localStorage.setItem(storeKey, JSON.stringify(queue));
      else localStorage.removeItem(storeKey);
    } catch (e) {
      /* storage full or disabled: the in-memory copy still gets sent */
    }
  }
  let queue = loadQueue();

  function pendingCount() {
    return Object.keys(queue).length;
  }

  function setStatus(kind, text) {
    if (!statusEl) return;
    statusEl.dataset.state = kind;
    statusEl.textContent = text;
  }

  function showWaiting(offline) {
    const n = pendingCount();
    if (!n) return setStatus("saved", "saved ✓");
    if (offline) setStatus("offline", "offline — " + n + (n === 1 ? " answer" : " answers") + " waiting, retrying");
    else setStatus("saving", "saving…");
  }

  // ---- what is on screen -------------------------------------------------------------
  const inputs = Array.from(form.querySelectorAll("input[name=option]"));
  const slots = Array.from(form.querySelectorAll("select[name=slot]"));
  const flagButton = document.getElementById("flag-button");
  const hint = document.getElementById("pick-hint");
  const summary = document.getElementById("order-summary");

  // An arrangement is one entry per step or prompt (null: not placed yet); nothing placed is [].
  function currentSelection() {
    if (slots.length) {
      const values = slots.map((s) => (s.value === "" ? null : Number(s.value)));
      return values.every((v) => v === null) ? [] : values;
    }
    return inputs.filter((i) => i.checked).map((i) => Number(i.value));
  }
  function showSelection(selected) {
    if (slots.length) {
      slots.forEach((s, i) => {
        const v = selected.length ? selected[i] : null;
        s.value = v === null || v === undefined ? "" : String(v);
      });
      if (kind === "ordering") sharedPositions();
      showSummary();
      return;
    }
    const wanted = new Set(selected);
    inputs.forEach((i) => (i.checked = wanted.has(Number(i.value))));
  }
  function rowText(slot) {
    const el = document.getElementById("row-" + slot.dataset.index + "-text");
    return el ? el.textContent.replace(/^\s*(Step|Prompt): /, "").trim() : "";
  }
  // Ordering: the steps in the candidate's order, as a list beside the controls.
  function showSummary() {
    if (!summary) return;
    summary.textContent = "";
    slots
      .filter((s) => s.value !== "")
      .sort((a, b) => Number(a.value) - Number(b.value))
      .forEach((s) => {
        const li = document.createElement("li");
        li.value = Number(s.value) + 1;
        li.textContent = rowText(s);
        summary.appendChild(li);
      });
  }
  function isFlagged() {
    return flagButton ? flagButton.getAttribute("aria-pressed") === "true" : false;
  }
  function showFlag(on) {
    if (!flagButton) return;
    flagButton.setAttribute("aria-pressed", on ? "true" : "false");
    flagButton.classList.toggle("btn-warning", on);
    flagButton.classList.toggle("btn-outline-secondary", !on);
    flagButton.querySelector(".flag-label").textContent = on ? "Flagged for review" : "Flag for review";
  }
  function showHint(message) {
    if (!hint) return;
    if (slots.length) {
      const placed = slots.filter((s) => s.value !== "").length;
      const what = kind === "ordering" ? " steps placed." : " prompts matched.";
      hint.textContent = (message ? message + " " : "") + placed + " of " + slots.length + what;
      return;
    }
    const picked = currentSelection().length;
    if (message) hint.textContent = message;
    else if (!multiple) hint.textContent = picked ? "1 option selected." : "Select one option.";
    else if (picked < selectCount)
      hint.textContent = picked + " of " + selectCount + " selected: select " + (selectCount - picked) + " more.";
    else hint.textContent = picked + " of " + selectCount + " selected.";
    hint.classList.toggle("text-danger", Boolean(message));
  }
  function updateNavigator(pos, answered, flagged) {
    const cell = document.querySelector('.nav-cell[data-position="' + pos + '"]');
    if (!cell) return;
    cell.classList.toggle("answered", answered);
    cell.classList.toggle("flagged", flagged);
    cell.setAttribute(
      "aria-label",
      "Question " + pos + ", " + (answered ? "answered" : "unanswered") + (flagged ? ", flagged" : "")
    );
    const cells = Array.from(document.querySelectorAll(".navigator .nav-cell[data-position]"));
    const unanswered = cells.filter((c) => !c.classList.contains("answered")).length;
    const flaggedCount = cells.filter((c) => c.classList.contains("flagged")).length;
    const u = document.getElementById("end-unanswered");
    const f = document.getElementById("end-flagged");
    if (u) u.textContent = unanswered;
    if (f) f.textContent = flaggedCount;
  }

  // A change made on this device that has not reached the server wins over what the page showed.
  if (kind === "ordering") sharedPositions();
  showSummary();
  if (position && queue[position]) {
    const mine = queue[position];
    showSelection(mine.selected);
    showFlag(mine.flagged);
    updateNavigator(position, mine.selected.length > 0, mine.flagged);
  }
  Object.keys(queue).forEach((p) => updateNavigator(Number(p), queue[p].selected.length > 0, queue[p].flagged));

  function record() {
    const entry = { selected: currentSelection(), flagged: isFlagged(), base: revision };
    if (queue[position]) entry.base = queue[position].base;
    entry.seq = (queue[position] ? queue[position].seq || 0 : 0) + 1;
    queue[position] = entry;
    storeQueue(queue);
    updateNavigator(position, entry.selected.length > 0, entry.flagged);
    showWaiting(false);
    flush();
  }

  // ---- sending ------------------------------------------------------------------------
  function scheduleRetry() {
    if (retryTimer) return;
    showWaiting(true);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      flush();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  function nextPosition() {
    const keys = Object.keys(queue).map(Number);
    if (!keys.length) return null;
    return keys.includes(position) ? position : keys[0];
  }

  async function flush() {
    if (inFlight || finished) return;
    const pos = nextPosition();
    if (pos === null) return showWaiting(false);
    const entry = queue[pos];
    inFlight = true;
    showWaiting(false);
    let response;
    try {
      response = await fetch(saveUrl, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        body: JSON.stringify({ position: pos, selected: entry.selected, flagged: entry.flagged, revision: entry.base }),
      });
    } catch (e) {
      inFlight = false;
      return scheduleRetry();
    }
    let body = {};
    try {
      body = await response.json();
    } catch (e) {
      /* a proxy's error page, or a redirect to the login page: handled below */
    }
    // Still in flight until the reply is read: a change made while the body arrives must wait
    // for the new revision, or it is sent on the old one and refused as stale.
    inFlight = false;
    if (response.type === "opaqueredirect" || response.status === 401) {
      setStatus("offline", "signed out — log in again in another tab; " + pendingCount() + " answer(s) kept here");
      return scheduleRetry();
    }
    if (response.ok) {
      retryDelay = 1000;
      const latest = queue[pos];
      if (latest && latest.seq === entry.seq) delete queue[pos];
      else if (latest) latest.base = body.revision; // a newer change waits; it builds on this one
      storeQueue(queue);
      if (pos === position) revision = body.revision;
      if (typeof body.remaining === "number") syncClock(body.remaining);
      return flush();
    }
    if (response.status >= 500 || response.status === 429 || !body.error) return scheduleRetry();
    // The server refused this change for good: say why and stop sending it.
    delete queue[pos];
    storeQueue(queue);
    if (body.code === "submitted" || body.code === "time_up") {
      finished = true;
      setStatus("error", body.error);
      window.location.assign(resultUrl);
      return;
    }
    setStatus("error", body.error);
    if (body.code === "stale") showConflict(pos, body.error);
    flush();
  }

  function showConflict(pos, message) {
    const box = document.createElement("div");
    box.className = "alert alert-warning d-flex align-items-center gap-3";
    box.setAttribute("role", "alert");
    box.textContent = message + " ";
    const link = document.createElement("a");
    link.href = questionUrl(pos);
    link.className = "btn btn-sm btn-warning";
    link.textContent = "Reload question " + pos;
    box.appendChild(link);
    form.prepend(box);
  }

  // ---- the clock -------------------------------------------------------------------------
  let deadline = null; // in performance.now() milliseconds
  let announced = false;
  function syncClock(remaining) {
    deadline = performance.now() + remaining * 1000;
    tick();
  }
  function format(s) {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(sec).padStart(2, "0");
  }
  function tick() {
    if (deadline === null || !timerValue) return;
    const left = Math.max(0, Math.ceil((deadline - performance.now()) / 1000));
    timerValue.textContent = format(left);
    if (left < 300) {
      timerEl.classList.add("timer-low");
      if (!announced && announcer) {
        announced = true;
        announcer.textContent = "Less than 5 minutes remain.";
      }
    }
    if (left === 0) timeUp();
  }
  let ending = false;
  async function timeUp() {
    if (ending || finished) return;
    ending = true;
    setStatus("saving", "time is up — submitting…");
    // Send what is waiting (the server takes saves for a short grace), then submit.
    for (let i = 0; i < 5 && pendingCount(); i++) {
      await flush();
      if (pendingCount()) await new Promise((r) => setTimeout(r, 500));
    }
    finished = true;
    submitNow();
  }
  async function submitNow() {
    try {
      await fetch(submitUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      });
    } catch (e) {
      /* the server submits expired attempts itself */
    }
    window.location.assign(resultUrl);
  }
  if (form.dataset.remaining !== "") {
    syncClock(Number(form.dataset.remaining));
    setInterval(tick, 500);
  }

  // ---- input ---------------------------------------------------------------------------
  inputs.forEach((input) =>
    input.addEventListener("change", () => {
      if (multiple && input.checked && currentSelection().length > selectCount) {
        input.checked = false;
        showHint("You can select only " + selectCount + ". Clear one of your choices first.");
        return;
      }
      showHint();
      record();
    })
  );
  // Each step's (or prompt's) control is independent, so arrow keys moving through a closed
  // select change nothing else; two steps given one position are pointed out, not undone.
  function optionLabel(slot) {
    const option = slot.options[slot.selectedIndex];
    return option ? option.textContent : "";
  }
  function sharedPositions() {
    const seen = {};
    slots.forEach((s) => {
      if (s.value !== "") seen[s.value] = (seen[s.value] || 0) + 1;
    });
    slots.forEach((s) => s.classList.toggle("is-invalid", s.value !== "" && seen[s.value] > 1));
    return Object.keys(seen)
      .filter((v) => seen[v] > 1)
      .map((v) => Number(v) + 1);
  }
  slots.forEach((slot) =>
    slot.addEventListener("change", () => {
      let message;
      if (kind === "ordering") {
        message = slot.value === "" ? "Step not placed." : "Step placed at " + optionLabel(slot).toLowerCase() + ".";
        const shared = sharedPositions();
        if (shared.length) message += " Two steps share position " + shared.join(" and ") + ".";
      } else {
        message = slot.value === "" ? "Prompt not matched." : "Matched with " + optionLabel(slot) + ".";
      }
      showSummary();
      showHint(message);
      record();
    })
  );
  if (flagButton)
    flagButton.addEventListener("click", () => {
      showFlag(!isFlagged());
      record();
    });
  showHint();

  function toggleOption(index) {
    const input = inputs[index];
    if (!input) return;
    if (multiple) input.checked = !input.checked;
    else input.checked = true;
    input.focus();
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // ---- single-key shortcuts -------------------------------------------------------------
  // They can be turned off (WCAG 2.1.4) with the switch under the question; the choice is kept
  // on this device. Off by default on a touch screen, where a stray key from an on-screen
  // keyboard should not answer. The arrow keys are never shortcuts: in a radio group they move
  // between the options, as the browser has them do.
  const shortcutStore = "mockexam:shortcuts";
  const shortcutSwitch = document.getElementById("shortcuts-toggle");
  const media = (query) => Boolean(window.matchMedia && window.matchMedia(query).matches);
  const touchOnly = media("(pointer: coarse)") || (navigator.maxTouchPoints > 0 && !media("(any-pointer: fine)"));
  let chosenShortcuts = null;
  try {
    chosenShortcuts = localStorage.getItem(shortcutStore);
  } catch (e) {
    /* storage disabled: the default for this screen */
  }
  let shortcutsOn = chosenShortcuts === null ? !touchOnly : chosenShortcuts === "on";
  function showShortcuts() {
    if (shortcutSwitch) shortcutSwitch.checked = shortcutsOn;
    document.body.classList.toggle("shortcuts-off", !shortcutsOn);
  }
  if (shortcutSwitch)
    shortcutSwitch.addEventListener("change", () => {
      shortcutsOn = shortcutSwitch.checked;
      try {
        localStorage.setItem(shortcutStore, shortcutsOn ? "on" : "off");
      } catch (e) {
        /* kept for this page only */
      }
      showShortcuts();
    });
  showShortcuts();

  document.addEventListener("keydown", (event) => {
    if (!shortcutsOn) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (document.querySelector(".modal.show")) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "textarea" || tag === "select" || (tag === "input" && event.target.type === "text")) return;
    const key = event.key;
    // A number chooses the option shown with it, a letter the option shown with that letter.
    const number = /^[1-9]$/.test(key) && Number(key) <= inputs.length ? Number(key) : 0;
    const letter = /^[a-z]$/i.test(key) && letterKeys.includes(key.toUpperCase()) ? key.toUpperCase() : "";
    if (locked && (number || letter)) {
      return;
    } else if (position && number) {
      toggleOption(number - 1);
    } else if (position && letter) {
      toggleOption(letter.charCodeAt(0) - 65);
    } else if (position && (key === "f" || key === "F")) {
      flagButton && flagButton.click();
    } else if (key === "n" || key === "N") {
      const next = document.getElementById("next-link");
      if (next) next.click();
      else return;
    } else if (key === "p" || key === "P") {
      const prev = document.getElementById("prev-link");
      if (prev) prev.click();
      else return;
    } else {
      return;
    }
    event.preventDefault();
  });

  // Ending the exam, or checking an answer in study mode, sends what is waiting first.
  ["end-form", "check-form"].forEach((id) => {
    const target = document.getElementById(id);
    if (!target) return;
    target.addEventListener("submit", async (event) => {
      if (!pendingCount()) return;
      event.preventDefault();
      await flush();
      target.submit();
    });
  });

  window.addEventListener("online", () => {
    retryDelay = 1000;
    flush();
  });
  // Exposed for the browser tests and for debugging: how many changes are still waiting.
  window.mockexam = { pending: pendingCount, flush: flush };
  flush();
})();
