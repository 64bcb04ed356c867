// Progressive enhancement: the survey works without JavaScript; this adds GOV.UK behaviours.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
