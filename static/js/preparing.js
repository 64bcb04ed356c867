// While a big round is analysed in the background, ask the server every few seconds whether
// the results are ready, and say so in a banner (role="alert") rather than reloading the page
// under the reader (WCAG 2.2.1: no timed refresh).
const waiting = document.querySelector("[data-preparing]");
const banner = document.querySelector("[data-results-ready]");

if (waiting && banner) {
  const seconds = Number(waiting.dataset.preparing) || 5;
  const check = async () => {
    try {
      const answer = await fetch(window.location.href, { cache: "no-store", credentials: "same-origin" });
      if (answer.status === 200) {
        banner.hidden = false;
        waiting.textContent = "The results are ready.";
        document.querySelector("[data-check-again]")?.setAttribute("hidden", "");
        return;
      }
    } catch {
      // Offline for a moment: try again on the next tick.
    }
    window.setTimeout(check, seconds * 1000);
  };
  window.setTimeout(check, seconds * 1000);
}
