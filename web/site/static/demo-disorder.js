// The scrambling page of the demo: Image/disorder on the server, upare-disorder.js here.
import { unscramble, decodePicture } from "/static/upare-disorder.js";

const $ = (id) => document.getElementById(id);
let scrambledBytes = null;
let originalFile = null;

const say = (element, text, ok) => {
  element.textContent = text;
  element.className = `result ${ok ? "ok" : "error"}`;
};

const pixelsOf = (source) => {
  const canvas = document.createElement("canvas");
  canvas.width = source.width;
  canvas.height = source.height;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(source, 0, 0);
  return context.getImageData(0, 0, canvas.width, canvas.height).data;
};

$("make-key").addEventListener("click", () => {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  $("key").value = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
});

$("picture").addEventListener("change", () => {
  originalFile = $("picture").files[0] || null;
  if (originalFile) $("original").src = URL.createObjectURL(originalFile);
});

$("disorder-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const result = $("scramble-result");
  if (!originalFile) return say(result, "Pick a picture first.", false);
  const body = new FormData();
  body.append("image", originalFile);
  body.append("key", $("key").value);
  $("scramble").disabled = true;
  try {
    const response = await fetch("/api/Image/disorder", { method: "POST", body });
    if (!response.ok || !(response.headers.get("Content-Type") || "").startsWith("image/")) {
      const reply = await response.json();
      return say(result, `${reply.message}${reply.detail ? ": " + reply.detail : ""} (error ${reply.error_code})`, false);
    }
    scrambledBytes = new Uint8Array(await response.arrayBuffer());
    $("scrambled").src = URL.createObjectURL(new Blob([scrambledBytes], { type: response.headers.get("Content-Type") }));
    $("unscramble").disabled = false;
    say(result, `Scrambled: ${scrambledBytes.length.toLocaleString("en")} bytes. Now unscramble it here.`, true);
  } finally {
    $("scramble").disabled = false;
  }
});

$("unscramble").addEventListener("click", async () => {
  const result = $("compare-result");
  try {
    const started = performance.now();
    const canvas = await unscramble(scrambledBytes, $("key").value);
    const took = performance.now() - started;
    canvas.id = "restored-canvas";
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", "The picture unscrambled in this browser");
    $("restored").querySelector("canvas")?.remove();
    $("restored").prepend(canvas);
    const original = await decodePicture(new Uint8Array(await originalFile.arrayBuffer()));
    const a = pixelsOf(canvas), b = pixelsOf(original);
    let differing = 0, largest = 0;
    for (let i = 0; i < a.length; i += 4) {
      const d = Math.max(Math.abs(a[i] - b[i]), Math.abs(a[i + 1] - b[i + 1]), Math.abs(a[i + 2] - b[i + 2]), Math.abs(a[i + 3] - b[i + 3]));
      if (d > 0) differing++;
      largest = Math.max(largest, d);
    }
    const pixels = a.length / 4;
    result.dataset.pixels = pixels;
    result.dataset.differing = differing;
    result.dataset.largest = largest;
    result.dataset.milliseconds = Math.round(took);
    say(result, differing === 0
      ? `Unscrambled in ${Math.round(took)} ms: all ${pixels.toLocaleString("en")} pixels match the original.`
      : `Unscrambled in ${Math.round(took)} ms: ${differing.toLocaleString("en")} of ${pixels.toLocaleString("en")} pixels differ from the original decode, by at most ${largest}.`,
      true);
  } catch (error) {
    result.dataset.error = error.code || "error";
    say(result, error.message || String(error), false);
  }
});
