// The exam screen: autosave queue, server-synced timer, keyboard shortcuts that can be turned
// off, and the end-exam dialog.
//
// Every change goes into a queue kept in localStorage before it is sent, so a reload, a crash
// or a closed tab loses nothing: the next page of this attempt sends what is still waiting.
// Each change is named "<tab>:<sequence>" and every retry of it sends the same name, so a retry
// of a save that landed is acknowledged, never taken for another tab's change. The status says
// "saved ✓" only when the server has acknowledged everything; a change it refused is shown as
// refused, with the server's answer on screen. The server is the clock; the browser only counts
// down between the server's answers. The time a question is on screen, visible and focused, is
// sent with its saves and when the candidate leaves it.
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
  const timeUrl = form.dataset.timeUrl;
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
  let refusal = null; // the last change the server refused, until a later one is acknowledged
  const SAVE_TIMEOUT = 20000; // a save with no reply by then is retried under the same name

  // ---- this page's name and its changes' numbers -------------------------------------
  // A name of its own for every page load: a change's name is never reused for another change,
  // even in a duplicated tab (which copies sessionStorage) or a second tab sharing the queue.
  // A change waiting from an earlier page keeps the name it was first sent under.
  function randomName() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"[b % 64]).join("");
  }
  const tab = randomName();
  let sequence = 0;
  function nextSequence() {
    sequence += 1;
    return sequence;
  }

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

  function answers(n) {
    return n + (n === 1 ? " answer" : " answers");
  }
  // "saved ✓" only when nothing waits and nothing was refused since the last acknowledgement.
  function showWaiting(offline) {
    const n = pendingCount();
    if (!n) {
      if (refusal) return setStatus("error", refusal);
      return setStatus("saved", "saved ✓");
    }
    if (offline) setStatus("offline", "offline — " + answers(n) + " waiting on this device, retrying");
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
    entry.seq = nextSequence();
    entry.request = tab + ":" + entry.seq; // every retry of this change sends this name
    entry.active = activeSeconds();
    queue[position] = entry;
    storeQueue(queue);
    updateNavigator(position, entry.selected.length > 0, entry.flagged);
    showWaiting(false);
    flush();
  }

  // ---- sending ------------------------------------------------------------------------
  // Retry-After (seconds or an HTTP date), or the "retry_after" of a JSON reply, in ms; or 0.
  function retryAfter(response, body) {
    const header = response.headers.get("Retry-After");
    let seconds = header === null ? NaN : Number(header);
    if (header !== null && isNaN(seconds)) seconds = (Date.parse(header) - Date.now()) / 1000;
    if (isNaN(seconds) && typeof body.retry_after === "number") seconds = body.retry_after;
    return isNaN(seconds) ? 0 : Math.min(Math.max(seconds, 0), 300) * 1000;
  }

  // Try again later: after the backoff, or after the server's Retry-After if that is longer.
  // The status says that the answers wait on this device and are being retried, never "saved".
  function scheduleRetry(wait, why) {
    if (retryTimer) return;
    const delay = Math.max(retryDelay, wait || 0);
    if (why) {
      setStatus("offline", why + " — " + answers(pendingCount()) + " kept on this device, retrying in " +
        Math.ceil(delay / 1000) + " s");
    } else showWaiting(true);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      flush();
    }, delay);
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
    const payload = { position: pos, selected: entry.selected, flagged: entry.flagged, revision: entry.base };
    if (entry.request) payload.request = entry.request; // entries queued before names had none
    const active = pos === position ? Math.max(activeSeconds(), entry.active || 0) : entry.active;
    if (typeof active === "number") payload.active = active;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), SAVE_TIMEOUT);
    let response;
    let body = {};
    try {
      response = await fetch(saveUrl, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        signal: abort.signal,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        body: JSON.stringify(payload),
      });
      try {
        body = await response.json();
      } catch (e) {
        /* a proxy's error page, or a redirect to the login page: handled below */
      }
    } catch (e) {
      // No reply (offline, a server that died, or no answer in SAVE_TIMEOUT): the save may or
      // may not have landed. The retry carries the same name, so either way it is acknowledged.
      clearTimeout(timer);
      inFlight = false;
      return scheduleRetry(0, e.name === "AbortError" ? "no reply from the server" : "offline");
    }
    clearTimeout(timer);
    // Still in flight until the reply is read: a change made while the body arrives must wait
    // for the new revision, or it is sent on the old one and refused as stale.
    inFlight = false;
    if (response.type === "opaqueredirect" || response.status === 401) {
      setStatus("offline", "signed out — log in again in another tab; " + answers(pendingCount()) + " kept here");
      return scheduleRetry(0);
    }
    if (response.ok) {
      retryDelay = 1000;
      const latest = queue[pos];
      if (latest && latest.seq === entry.seq) delete queue[pos];
      else if (latest) latest.base = body.revision; // a newer change waits; it builds on this one
      storeQueue(queue);
      if (pos === position) revision = body.revision;
      if (typeof body.remaining === "number") syncClock(body.remaining);
      clearRefusal(pos);
      return flush();
    }
    if (response.status === 503 || response.status === 429) {
      return scheduleRetry(retryAfter(response, body), "the server is busy");
    }
    if (response.status >= 500 || !body.error) return scheduleRetry(retryAfter(response, body), "server error");
    if (body.code === "csrf") {
      // The page's token is out of date: the same request would be refused again. The change
      // stays queued on this device; a reload sends it with a fresh token.
      setStatus("error", "not saved — reload the page; " + answers(pendingCount()) + " kept here");
      return;
    }
    // The server refused this change for good: say why, show what it holds, stop sending it.
    delete queue[pos];
    storeQueue(queue);
    if (body.code === "submitted" || body.code === "time_up") {
      finished = true;
      setStatus("error", body.error);
      window.location.assign(resultUrl);
      return;
    }
    showRefusal(pos, body);
    flush();
  }

  // One message for the last refusal, replacing any earlier one (never a stack of banners),
  // with the server's answer put back on screen when the refused question is this one.
  function showRefusal(pos, body) {
    const adopt = typeof body.revision === "number";
    if (adopt && pos === position) {
      revision = body.revision;
      showSelection(body.selected || []);
      showFlag(Boolean(body.flagged));
      showHint();
    }
    if (adopt) updateNavigator(pos, (body.selected || []).some((v) => v !== null), Boolean(body.flagged));
    const kept = adopt ? " The answer shown is the one saved; change it here to replace it." : "";
    refusal = "not saved — question " + pos + ": " + (body.code === "stale" ? "changed elsewhere" : "refused");
    setStatus("error", refusal);
    let box = document.getElementById("save-refusal");
    if (!box) {
      box = document.createElement("div");
      box.id = "save-refusal";
      box.className = "alert alert-warning d-flex flex-wrap align-items-center gap-3";
      box.setAttribute("role", "alert");
      form.prepend(box);
    }
    box.dataset.position = String(pos);
    box.textContent = (pos === position ? "" : "Question " + pos + ": ") + body.error + kept + " ";
    if (pos !== position) {
      const link = document.createElement("a");
      link.href = questionUrl(pos);
      link.className = "btn btn-sm btn-warning";
      link.textContent = "Go to question " + pos;
      box.appendChild(link);
    }
  }
  function clearRefusal(pos) {
    const box = document.getElementById("save-refusal");
    if (box && box.dataset.position === String(pos)) box.remove();
    if (!document.getElementById("save-refusal")) refusal = null;
  }

  // ---- time on this question -----------------------------------------------------------
  // Counted only while the page is visible and has the focus: a tab in the background, another
  // window in front or a locked screen do not count. The server keeps the largest total it is
  // sent, bounded by the attempt's elapsed time.
  const activeBase = Number(form.dataset.active || 0); // seconds already recorded by the server
  let activeMs = 0;
  let activeSince = null;
  let activeSent = activeBase;
  function measure() {
    const now = performance.now();
    if (activeSince !== null) activeMs += now - activeSince;
    activeSince = document.visibilityState === "visible" && document.hasFocus() ? now : null;
  }
  function activeSeconds() {
    measure();
    return activeBase + Math.floor(activeMs / 1000);
  }
  function reportTime() {
    if (!position || !timeUrl || finished) return Promise.resolve();
    const active = activeSeconds();
    if (active <= activeSent) return Promise.resolve();
    activeSent = active;
    // keepalive: the report outlives the page it is sent from. Time is not an answer: a report
    // that is lost costs a few seconds of a statistic, so it is not queued.
    return fetch(timeUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify({ position: position, active: active }),
    }).catch(() => {});
  }
  if (position) {
    measure();
    ["focus", "blur"].forEach((name) => window.addEventListener(name, measure));
    document.addEventListener("visibilitychange", () => {
      measure();
      if (document.visibilityState === "hidden") reportTime();
    });
    window.addEventListener("pagehide", reportTime);
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
    showPacing(left);
    if (left === 0) timeUp();
  }

  // ---- pacing: questions left against time left (hidden on request, remembered) ----------
  const pacing = document.getElementById("pacing");
  const pacingText = document.getElementById("pacing-text");
  const pacingToggle = document.getElementById("pacing-toggle");
  const PACING_KEY = "mockexam:pacing";
  function pacingHidden() {
    try {
      return localStorage.getItem(PACING_KEY) === "hidden";
    } catch (e) {
      return false;
    }
  }
  function showPacingChoice() {
    if (!pacing) return;
    const hidden = pacingHidden();
    pacing.hidden = false;
    pacingText.hidden = hidden;
    pacingToggle.textContent = hidden ? "Show pacing" : "Hide pacing";
    pacingToggle.setAttribute("aria-expanded", hidden ? "false" : "true");
  }
  function duration(seconds) {
    const m = Math.floor(seconds / 60);
    const sec = Math.floor(seconds % 60);
    if (!m) return sec + " s";
    return m + " min" + (sec ? " " + sec + " s" : "");
  }
  function showPacing(left) {
    if (!pacing || pacingText.hidden) return;
    const cells = Array.from(document.querySelectorAll(".navigator .nav-cell[data-position]"));
    const total = cells.length || Number(form.dataset.total || 0);
    const open = cells.filter((c) => !c.classList.contains("answered")).length;
    // The time left is the timer beside it: this says what it means per question still open.
    let text = "";
    if (total && !open) text = "all " + total + " answered";
    else if (total) text = open + " of " + total + " unanswered · about " + duration(left / open) + " each";
    if (pacingText.textContent !== text) pacingText.textContent = text;
  }
  if (pacing && pacingToggle) {
    pacingToggle.addEventListener("click", () => {
      try {
        localStorage.setItem(PACING_KEY, pacingHidden() ? "shown" : "hidden");
      } catch (e) {
        /* storage disabled: the choice holds for this page */
        pacingText.hidden = !pacingText.hidden;
      }
      showPacingChoice();
      tick();
    });
    showPacingChoice();
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
      if (!pendingCount() && !(position && activeSeconds() > activeSent)) return;
      event.preventDefault();
      await flush();
      await reportTime();
      // form.submit() sends no button: carry the one clicked ("Check — I was unsure" names the
      // confidence), as the browser would have.
      const button = event.submitter;
      if (button && button.name) {
        const carried = document.createElement("input");
        carried.type = "hidden";
        carried.name = button.name;
        carried.value = button.value;
        target.appendChild(carried);
      }
      target.submit();
    });
  });

  window.addEventListener("online", () => {
    retryDelay = 1000;
    flush();
  });
  // Exposed for the browser tests and for debugging: how many changes are still waiting, and
  // the seconds counted on this question.
  window.mockexam = { pending: pendingCount, flush: flush, active: activeSeconds, reportTime: reportTime };
  flush();
})();
