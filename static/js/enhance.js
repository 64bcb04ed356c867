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
  const update = () => {
    const values = inputs.map((input) => input.value.trim());
    if (values.every((value) => value === "")) {
      total.textContent = "Total: 0 of 100 points";
      return;
    }
    const sum = values.reduce((acc, value) => acc + (Number.parseInt(value, 10) || 0), 0);
    total.textContent = sum === 100 ? "Total: 100 of 100 points" : `Total: ${sum} of 100 points`;
  };
  for (const input of inputs) input.addEventListener("input", update);
  update();
}
