/* global window, document, HTMLElement, HTMLFormElement, CSS */
// AppRights console: progressive enhancement only; every page works without this script.
// Forms marked data-confirm ask before they submit.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) event.preventDefault();
});

// A progress list marked data-poll follows its submission's JSON until detection ends, then reloads
// the page (which shows the outcome). Without this script the page refreshes itself (<noscript>).
const poll = document.querySelector('[data-poll]');
if (poll instanceof HTMLElement && poll.dataset.poll) {
  const url = poll.dataset.poll;
  let last = '';
  const tick = async () => {
    try {
      const response = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } });
      if (!response.ok) return;
      const progress = await response.json();
      if (progress.done) {
        window.location.reload();
        return;
      }
      const now = JSON.stringify(progress.jobs);
      if (now !== last) {
        last = now;
        for (const job of progress.jobs) {
          const state = poll.querySelector(`[data-job="${CSS.escape(job.id)}"] .job-state`);
          if (state) state.textContent = job.state;
        }
      }
    } catch {
      // A dropped request: the next tick tries again.
    }
    window.setTimeout(tick, 1500);
  };
  window.setTimeout(tick, 1500);
}
