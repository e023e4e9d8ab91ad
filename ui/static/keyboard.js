// Keyboard access to the figure's controls, and the figure on a phone. Plotly draws
// Play/Pause, the speeds and the step slider in SVG, out of the Tab order. This fixed script
// (no user text in it) makes each button a focusable role="button" that Enter or Space
// presses (the −1/+1 buttons move the slider one stop), and the slider a role="slider" that
// the arrow keys, Page Up/Down, Home and End move (one step, ten steps, first, last),
// announcing "step t". On a narrow viewport it lays the animated figure out for a phone (its
// layout.meta.narrow: bernoulli/plots/narrow_layout.py), and a change made in the sidebar
// folds the sidebar away, so that the run it gives is in view. It wires every Plotly figure
// as it appears (Streamlit redraws them on each run), once per page load.
(() => {
  if (window.bernoulliKeyboard) return;
  window.bernoulliKeyboard = true;
  const MOVES = {ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 10,
                 PageDown: -10};
  // The figure's step buttons (plots.style; on a phone two-line labels, narrow_layout), told
  // apart by their characters alone ("\x3cbr\x3e": st.html drops a script that holds a literal tag).
  const squeeze = (label) => String(label).replace(/\x3cbr\x3e/g, "").replace(/[\s\u00a0]/g, "");
  const STEPS = {"◀−1": -1, "+1▶": 1};
  const NARROW = window.matchMedia("(max-width: 640px)");  // narrow_layout.NARROW_MAX_WIDTH
  // Pause (or another speed) interrupts a playing animation: plotly.js then rejects the
  // promise of the Play button's call with no reason, which no one awaits, and the browser
  // reports it as an uncaught page error "undefined". Only that rejection is let go.
  let interrupted = 0;
  window.addEventListener("unhandledrejection", (event) => {
    if (event.reason === undefined && performance.now() - interrupted < 1000) {
      event.preventDefault();
    }
  });
  function describe(gd) {
    const slider = gd.querySelector("g.slider-container");
    const opts = gd._fullLayout?.sliders?.[0];
    if (!slider || !opts) return;
    slider.setAttribute("aria-valuemin", 0);
    slider.setAttribute("aria-valuemax", opts.steps.length - 1);
    slider.setAttribute("aria-valuenow", opts.active);
    // A stop's frame is named by its step (its label may be empty: plots.animated).
    slider.setAttribute("aria-valuetext", "step " + opts.steps[opts.active].args[0][0]);
  }
  function press(button) {
    button.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      button.dispatchEvent(new MouseEvent("click", {bubbles: true}));
    });
  }
  function scrub(gd, slider) {
    slider.addEventListener("keydown", (event) => {
      const opts = gd._fullLayout.sliders[0];
      const last = opts.steps.length - 1;
      let i = opts.active;
      if (event.key in MOVES) i += MOVES[event.key];
      else if (event.key === "Home") i = 0;
      else if (event.key === "End") i = last;
      else return;
      event.preventDefault();
      const step = opts.steps[Math.max(0, Math.min(last, i))];
      if (step.method !== "animate") return;
      window.Plotly.animate(gd, ...step.args).then(() => describe(gd));
    });
  }
  function fit(gd) {  // on a phone: the panels stacked, the buttons tap-sized
    const narrow = gd.layout?.meta?.narrow;
    if (!narrow || !NARROW.matches) return false;
    const done = JSON.stringify(gd.layout.yaxis?.domain) === JSON.stringify(narrow["yaxis.domain"]);
    if (!done) window.Plotly.relayout(gd, narrow);
    return !done;
  }
  function wire(gd) {
    if (!gd._fullLayout || !window.Plotly) return;
    if (fit(gd)) return;  // (wired once the relayout has redrawn the controls)
    for (const button of gd.querySelectorAll("g.updatemenu-button:not([tabindex])")) {
      button.setAttribute("tabindex", "0");
      button.setAttribute("role", "button");
      const text = squeeze(button.textContent);
      const name = button.textContent.replace(/[^A-Za-z0-9.×]+/g, " ").trim();
      const speed = /^([0-9.]+×)/.exec(text);
      const label = STEPS[text] ? (STEPS[text] < 0 ? "step back" : "step on") : name;
      button.setAttribute("aria-label", speed ? "speed " + speed[1] : label);
      press(button);
    }
    const slider = gd.querySelector("g.slider-container:not([tabindex])");
    if (slider && gd._fullLayout.sliders?.length) {
      slider.setAttribute("tabindex", "0");
      slider.setAttribute("role", "slider");
      slider.setAttribute("aria-label", "Animation step");
      describe(gd);
      scrub(gd, slider);
    }
    if (!gd.bernoulliKeyboard) {  // once per figure: Plotly may redraw its controls
      gd.bernoulliKeyboard = true;
      // The "◀ −1" and "+1 ▶" buttons (method "skip"): one stop of the slider back or on.
      gd.on("plotly_buttonclicked", (event) => {
        const by = STEPS[squeeze(event?.button?.label)];
        const opts = gd._fullLayout.sliders?.[0];
        if (!by || !opts) return;
        const i = Math.max(0, Math.min(opts.steps.length - 1, opts.active + by));
        window.Plotly.animate(gd, ...opts.steps[i].args).then(() => describe(gd));
      });
      gd.on("plotly_animationinterrupted", () => { interrupted = performance.now(); });
      gd.on("plotly_sliderchange", () => describe(gd));
      gd.on("plotly_animated", () => describe(gd));
    }
  }
  // A change in the sidebar on a phone: once the run it starts begins, the sidebar (drawn over
  // the page there) folds away, and the page shows the result.
  let changed = -Infinity;
  const inSidebar = (event) => event.target?.closest?.('[data-testid="stSidebar"]');
  for (const kind of ["pointerdown", "keydown", "change"]) {
    document.addEventListener(kind, (event) => {
      if (inSidebar(event)) changed = performance.now();
    }, true);
  }
  // The window is long enough for a slow phone and a busy server; a fold the page was not
  // ready for (no fold button yet while the run starts) happens when the run ends.
  let foldWhenDone = false;
  const fold = () => {
    const open = document.querySelector('[data-testid="stSidebar"][data-collapsed="false"]');
    const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (open && button) button.click();
    return !open || Boolean(button);
  };
  new MutationObserver((records) => {
    const states = records.map((r) => r.target.getAttribute?.("data-test-script-state"));
    if (foldWhenDone && states.includes("notRunning")) foldWhenDone = !fold();
    if (!states.includes("running") || !NARROW.matches) return;
    if (performance.now() - changed > 20000) return;
    changed = -Infinity;
    foldWhenDone = !fold();
  }).observe(document.body, {attributes: true, subtree: true,
                             attributeFilter: ["data-test-script-state"]});
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      document.querySelectorAll(".js-plotly-plot").forEach(wire);
    });
  }).observe(document.body, {childList: true, subtree: true});
})();
