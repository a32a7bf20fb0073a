/* Live preview on the question form in the admin.
 *
 * Sends the question as it stands in the form (stem, explanation, options, type) to the
 * preview endpoint, which renders and sanitises it exactly as for candidates and lists the
 * rules it still breaks, and shows the answer in a sandboxed frame (no script can run in it).
 * Nothing is saved.
 */
(function () {
  "use strict";

  const FIELDS = ["stem", "explanation", "type", "select_count", "status", "references", "sub_domain"];

  function start() {
    const box = document.getElementById("question-preview");
    if (!box) return;
    const form = box.closest("form");
    const frame = box.querySelector(".question-preview-frame");
    const status = box.querySelector(".question-preview-status");
    const url = box.dataset.previewUrl;
    let timer = null;
    let inFlight = null;

    function value(name) {
      const field = form.elements[name];
      if (!field) return "";
      if (field.type === "checkbox") return field.checked ? "1" : "";
      return field.value || "";
    }

    function optionRows() {
      // The inline's rows: choices-0-text, choices-0-why, …; the empty template row has __prefix__.
      const rows = [];
      form.querySelectorAll("textarea[name$='-text']").forEach(function (text) {
        const prefix = text.name.slice(0, -"-text".length);
        if (prefix.indexOf("__prefix__") !== -1) return;
        if (value(prefix + "-DELETE")) return;
        const why = value(prefix + "-why");
        const existing = value(prefix + "-id");
        if (!text.value.trim() && !why.trim() && !existing) return; // a blank extra row
        rows.push({ text: text.value, why: why, correct: value(prefix + "-is_correct"), prompt: value(prefix + "-prompt") });
      });
      return rows;
    }

    function exhibitRows() {
      // Stored exhibits (a new upload shows once saved): exhibits-0-stored, exhibits-0-alt, …
      const rows = [];
      form.querySelectorAll("input[name$='-stored']").forEach(function (stored) {
        const prefix = stored.name.slice(0, -"-stored".length);
        if (prefix.indexOf("__prefix__") !== -1 || !stored.value) return;
        if (value(prefix + "-DELETE")) return;
        rows.push({ image: stored.value, alt: value(prefix + "-alt") });
      });
      return rows;
    }

    function fitHeight() {
      try {
        const doc = frame.contentDocument;
        if (doc && doc.documentElement) {
          frame.style.height = doc.documentElement.scrollHeight + 24 + "px";
        }
      } catch (e) {
        /* a frame we cannot measure keeps its CSS height */
      }
    }

    function refresh() {
      const data = new FormData();
      FIELDS.forEach(function (name) {
        data.append(name, value(name));
      });
      optionRows().forEach(function (row) {
        data.append("choice_text", row.text);
        data.append("choice_why", row.why);
        data.append("choice_correct", row.correct ? "1" : "0");
        data.append("choice_prompt", row.prompt);
      });
      exhibitRows().forEach(function (row) {
        data.append("exhibit_image", row.image);
        data.append("exhibit_alt", row.alt);
      });
      if (inFlight) inFlight.abort();
      inFlight = new AbortController();
      fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": value("csrfmiddlewaretoken") },
        signal: inFlight.signal,
      })
        .then(function (response) {
          if (!response.ok) throw new Error("The preview is unavailable (" + response.status + ").");
          return response.text();
        })
        .then(function (html) {
          status.textContent = "";
          frame.srcdoc = html;
        })
        .catch(function (error) {
          if (error.name !== "AbortError") status.textContent = error.message;
        });
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    }

    frame.addEventListener("load", fitHeight);
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    // Removing an inline row (the admin's "×") changes no field: listen for those clicks too.
    form.addEventListener("click", function (event) {
      if (event.target.closest(".inline-deletelink, .add-row")) schedule();
    });
    refresh();
  }

  // The admin loads form media in <head>: wait for the form.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
