// Keyboard access to the figure's controls. Plotly draws Play/Pause, the speeds and the
// step slider in SVG, out of the Tab order. This fixed script (no user text in it) makes each
// button a focusable role="button" that Enter or Space presses (the −1/+1 buttons move the
// slider one stop), and the slider a
// role="slider" that the arrow keys, Page Up/Down, Home and End move (one step, ten steps,
// first, last), announcing "step t". It wires every Plotly figure as it appears (Streamlit
// redraws them on each run), once per page load.
(() => {
  if (window.bernoulliKeyboard) return;
  window.bernoulliKeyboard = true;
  const MOVES = {ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 10,
                 PageDown: -10};
  const STEPS = {"◀ −1": -1, "+1 ▶": 1};  // the figure's step buttons (plots.style)
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
  function wire(gd) {
    if (!gd._fullLayout || !window.Plotly) return;
    for (const button of gd.querySelectorAll("g.updatemenu-button:not([tabindex])")) {
      button.setAttribute("tabindex", "0");
      button.setAttribute("role", "button");
      const text = button.textContent;
      const name = text.replace(/[^A-Za-z0-9.×]+/g, " ").trim();
      const label = STEPS[text] ? (STEPS[text] < 0 ? "step back" : "step on") : name;
      button.setAttribute("aria-label", /^[0-9.]+×$/.test(name) ? "speed " + name : label);
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
        const by = STEPS[event?.button?.label];
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
