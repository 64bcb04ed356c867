// Progressive enhancement: the survey works without JavaScript; this adds GOV.UK behaviours
// and a running total for the split-100-points questions.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

for (const hint of document.querySelectorAll(".app-points-hint")) {
  const fieldset = hint.closest("fieldset");
  const inputs = [...fieldset.querySelectorAll("input[inputmode=numeric]")];
  const total = document.createElement("p");
  total.className = "govuk-body govuk-!-font-weight-bold app-points-total";
  total.setAttribute("aria-live", "polite");
  fieldset.appendChild(total);
  // The page's language's words come in data-total, with %(sum)s for the running total.
  const words = hint.dataset.total || "Total: %(sum)s of 100 points";
  const update = () => {
    const values = inputs.map((input) => input.value.trim());
    const sum = values.reduce((acc, value) => acc + (Number.parseInt(value, 10) || 0), 0);
    total.textContent = words.replace("%(sum)s", String(sum));
  };
  for (const input of inputs) input.addEventListener("input", update);
  update();
}

// Copy buttons: a link stays selectable text without JavaScript; with it, a button copies
// the link through the Clipboard API and says "Copied" in a status that screen readers hear.
for (const box of document.querySelectorAll("[data-copy]")) {
  const field = box.querySelector("input, [data-copy-text]");
  if (!field) continue;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "govuk-button govuk-button--secondary";
  button.textContent = box.dataset.copyLabel || "Copy link";
  if (box.dataset.copyName) {
    const hidden = document.createElement("span");
    hidden.className = "govuk-visually-hidden";
    hidden.textContent = ` ${box.dataset.copyName}`;
    button.appendChild(hidden);
  }
  const status = document.createElement("span");
  status.className = "app-copy__status";
  status.setAttribute("role", "status");
  box.append(button, status);
  let clear;
  button.addEventListener("click", async () => {
    const text = field.value ?? field.textContent.trim();
    clearTimeout(clear);
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = box.dataset.copyDone || "Copied";
    } catch {
      // No clipboard (an insecure page or a refused permission): select it for Ctrl+C.
      if (field.select) field.select();
      status.textContent = box.dataset.copyManual || "Press Ctrl+C (⌘C on a Mac) to copy";
    }
    clear = setTimeout(() => {
      status.textContent = "";
    }, 5000);
  });
}

// "Not at all" for a partner: its other questions do not apply, so hide them. Without
// JavaScript they stay on screen and the server ignores their answers (save_page).
for (const form of document.querySelectorAll("form[data-skip-field]")) {
  const radios = [...form.querySelectorAll(`input[name="${form.dataset.skipField}"]`)];
  if (!radios.length) continue;
  const own = radios[0].closest(".govuk-form-group");
  const others = [...form.querySelectorAll(".govuk-form-group")].filter(
    (group) => group !== own && !group.closest(".app-another-device"),
  );
  // A live region that stays in place, so that adding the note is announced.
  const status = document.createElement("div");
  status.setAttribute("role", "status");
  own.after(status);
  const update = () => {
    const skipped = radios.some((r) => r.checked && r.value === form.dataset.skipValue);
    for (const group of others) group.hidden = skipped;
    status.replaceChildren();
    if (skipped) {
      const note = document.createElement("p");
      note.className = "govuk-inset-text";
      note.textContent = form.dataset.skipNote;
      status.append(note);
    }
  };
  for (const radio of radios) radio.addEventListener("change", update);
  update();
}
