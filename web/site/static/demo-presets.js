// The presets page of the demo: sample pictures per difficulty, and a widget to try.
"use strict";

const SAMPLES = 3;

const drawSamples = () => {
  for (const box of document.querySelectorAll(".samples")) {
    const difficulty = box.dataset.difficulty;
    box.replaceChildren();
    for (let i = 0; i < SAMPLES; i++) {
      const picture = document.createElement("img");
      picture.src = `/api/Image/captchaSample?difficulty=${difficulty}&n=${Date.now()}-${i}`;
      picture.alt = `A ${difficulty} captcha sample`;
      picture.width = 160;
      picture.height = 60;
      box.append(picture);
    }
  }
};

const widget = document.getElementById("try-captcha");
document.getElementById("scenario").addEventListener("change", (event) => widget.setAttribute("scenario", event.target.value));
document.getElementById("language").addEventListener("change", (event) => {
  widget.setAttribute("lang", event.target.value);
  document.getElementById("try-form").setAttribute("lang", event.target.value);
});
document.getElementById("more-samples").addEventListener("click", drawSamples);

document.getElementById("try-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch("/api/Image/captchaVerify", { method: "POST", body: new URLSearchParams(new FormData(event.target)) });
  const reply = await response.json();
  const result = document.getElementById("try-result");
  result.textContent = reply.error_code === 0 ? "Right: the server accepted the answer." : `${reply.message}${reply.detail ? ": " + reply.detail : ""} (error ${reply.error_code})`;
  result.className = `result ${reply.error_code === 0 ? "ok" : "error"}`;
  widget.reset();
});

drawSamples();
