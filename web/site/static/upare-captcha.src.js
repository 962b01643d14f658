// upare-captcha.js: a drop-in captcha widget for upare, with no dependencies.
//
//   <script src="/static/upare-captcha.js" defer></script>
//   <form> ... <upare-captcha scenario="login"></upare-captcha> ... </form>
//
// It fetches a challenge in the token mode (Image/captcha?response_type=json),
// shows the picture, offers a new picture and the same challenge spoken
// (Image/captchaAudio), and solves a proof of work (Image/pow, ALTCHA v1) in
// a Web Worker when the server asks for one. It is a form-associated element:
// the form submits captcha_token, captcha (the answer), id (the scenario) and,
// when solved, altcha. The same values come with the `upare-captcha-change`
// event (detail: {captcha_token, captcha, id, altcha}) and from `.value`.
//
// Attributes: scenario (the spec's id), api (default: /api/ of the server the
// script came from), lang (en or zh; default: the closest lang attribute),
// worker (the worker script's URL), type (png, jpg or bmp).
// Methods: refresh(), reset() (a new challenge; call it after a refused submit).
(function () {
  "use strict";
  if (typeof window === "undefined" || !window.customElements || customElements.get("upare-captcha")) return;

  var script = document.currentScript;
  var scriptURL = script && script.src ? script.src : location.href;

  var MESSAGES = {
    en: {
      picture: "Captcha picture: type the characters you see",
      refresh: "New picture",
      listen: "Listen",
      answer: "Characters in the picture",
      loading: "Loading the captcha…",
      loaded: "New picture loaded.",
      working: "Checking this browser, one moment…",
      ready: "Browser check done.",
      failed: "The captcha could not be loaded. Press New picture to try again.",
      audioFailed: "The audio could not be loaded.",
      playing: "Playing the spoken captcha.",
      required: "Please type the characters in the picture.",
    },
    zh: {
      picture: "验证码图片：请输入图中的字符",
      refresh: "换一张",
      listen: "听语音",
      answer: "图中的字符",
      loading: "正在加载验证码…",
      loaded: "已换新图片。",
      working: "正在验证浏览器，请稍候…",
      ready: "浏览器验证完成。",
      failed: "验证码加载失败，请点“换一张”重试。",
      audioFailed: "语音加载失败。",
      playing: "正在播放语音验证码。",
      required: "请输入图中的字符。",
    },
  };

  // Text #1f2328 on #ffffff (15.8:1), buttons #ffffff on #1a56db (6.2:1),
  // focus ring #b45309 (4.9:1 on white): all above WCAG AA's 4.5:1.
  var CSS =
    ":host{display:inline-block;font:inherit;color:#1f2328}" +
    ".box{display:grid;gap:.5rem;padding:.75rem;border:1px solid #6e7781;border-radius:.5rem;background:#fff;max-width:22rem}" +
    ".row{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}" +
    "img{display:block;width:160px;height:60px;border:1px solid #6e7781;background:#fff}" +
    "button{font:inherit;padding:.35rem .7rem;border:0;border-radius:.35rem;background:#1a56db;color:#fff;cursor:pointer}" +
    "button:disabled{background:#57606a;cursor:wait}" +
    "input{font:inherit;padding:.35rem .5rem;border:1px solid #57606a;border-radius:.35rem;color:#1f2328;background:#fff;width:10rem}" +
    "label{font-size:.9rem}" +
    "button:focus-visible,input:focus-visible{outline:3px solid #b45309;outline-offset:2px}" +
    ".status{font-size:.85rem;min-height:1.2em;margin:0}" +
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}";

  var sheet = null;
  try {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  } catch (error) {
    sheet = null; // older browsers: a <style> element below
  }

  var counter = 0;

  function language(element) {
    var owner = element.closest("[lang]");
    var lang = (element.getAttribute("lang") || (owner && owner.getAttribute("lang")) || document.documentElement.lang || "en");
    return lang.toLowerCase().indexOf("zh") === 0 ? "zh" : "en";
  }

  class UpareCaptcha extends HTMLElement {
    static get formAssociated() { return true; }
    static get observedAttributes() { return ["scenario", "lang"]; }
  }

  var proto = UpareCaptcha.prototype;

  proto.connectedCallback = function () {
    if (this._root) return;
    this._internals = this.attachInternals ? this.attachInternals() : null;
    this._token = "";
    this._altcha = "";
    this._generation = 0;
    var root = (this._root = this.attachShadow({ mode: "open", delegatesFocus: true }));
    if (sheet) root.adoptedStyleSheets = [sheet];
    else {
      var style = document.createElement("style");
      style.textContent = CSS;
      root.appendChild(style);
    }
    var id = "upare-captcha-" + ++counter;
    root.innerHTML +=
      '<div class="box" part="box">' +
      '<img part="picture" alt="">' +
      '<div class="row">' +
      '<button type="button" part="refresh" data-action="refresh"></button>' +
      '<button type="button" part="listen" data-action="listen"></button>' +
      "</div>" +
      '<label for="' + id + '"></label>' +
      '<input id="' + id + '" part="answer" autocomplete="off" autocapitalize="off" spellcheck="false" required>' +
      '<p class="status" role="status" aria-live="polite"></p>' +
      '<audio part="audio" class="sr" preload="none"></audio>' +
      "</div>";
    this._picture = root.querySelector("img");
    this._refreshButton = root.querySelector('[data-action="refresh"]');
    this._listenButton = root.querySelector('[data-action="listen"]');
    this._input = root.querySelector("input");
    this._label = root.querySelector("label");
    this._status = root.querySelector(".status");
    this._audio = root.querySelector("audio");
    var self = this;
    this._refreshButton.addEventListener("click", function () { self.refresh(); });
    this._listenButton.addEventListener("click", function () { self.listen(); });
    this._input.addEventListener("input", function () { self._update(); });
    this._applyLanguage();
    this.refresh();
  };

  proto.attributeChangedCallback = function (name, before, after) {
    if (!this._root || before === after) return;
    if (name === "lang") this._applyLanguage();
    else this.refresh();
  };

  proto._applyLanguage = function () {
    var m = (this._messages = MESSAGES[language(this)]);
    this._picture.alt = m.picture;
    this._refreshButton.textContent = m.refresh;
    this._listenButton.textContent = m.listen;
    this._label.textContent = m.answer;
  };

  proto._api = function (name) {
    var base = this.getAttribute("api") || new URL("../api/", scriptURL).href;
    if (base.charAt(base.length - 1) !== "/") base += "/";
    return new URL(name, new URL(base, location.href)).href;
  };

  proto._say = function (text) {
    this._status.textContent = text;
  };

  Object.defineProperty(proto, "scenario", { get: function () { return this.getAttribute("scenario") || ""; } });

  /** What the form submits: {captcha_token, captcha, id, altcha}. */
  Object.defineProperty(proto, "value", {
    get: function () {
      return { captcha_token: this._token, captcha: this._input ? this._input.value.trim() : "", id: this.scenario, altcha: this._altcha };
    },
  });

  proto._update = function () {
    var value = this.value;
    if (this._internals) {
      var data = new FormData();
      data.append("captcha_token", value.captcha_token);
      data.append("captcha", value.captcha);
      if (value.id) data.append("id", value.id);
      if (value.altcha) data.append("altcha", value.altcha);
      this._internals.setFormValue(data);
      if (value.captcha) this._internals.setValidity({});
      else this._internals.setValidity({ valueMissing: true }, this._messages.required, this._input);
    }
    this.dispatchEvent(new CustomEvent("upare-captcha-change", { detail: value, bubbles: true, composed: true }));
  };

  function envelope(response) {
    return response.json().then(function (body) {
      if (!response.ok || body.error_code !== 0) throw new Error(body.message || "HTTP " + response.status);
      return body;
    });
  }

  /** A new challenge (and a new proof of work when the server asks for one). */
  proto.refresh = function () {
    var self = this, generation = ++this._generation, m = this._messages;
    this._token = "";
    this._altcha = "";
    this._input.value = "";
    this._refreshButton.disabled = true;
    this._say(m.loading);
    this._update();
    var query = "?response_type=json&id=" + encodeURIComponent(this.scenario);
    if (this.getAttribute("type")) query += "&type=" + encodeURIComponent(this.getAttribute("type"));
    return fetch(this._api("Image/captcha") + query, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(envelope)
      .then(function (body) {
        if (generation !== self._generation) return;
        var data = body.data || body;
        self._token = data.captcha_token;
        self._picture.src = data.image;
        self._refreshButton.disabled = false;
        self._say(m.loaded);
        self._update();
        self.dispatchEvent(new CustomEvent("upare-captcha-load", { detail: { pow: !!data.pow_required }, bubbles: true, composed: true }));
        if (data.pow_required) return self._work(generation);
      })
      .catch(function (error) {
        if (generation !== self._generation) return;
        self._refreshButton.disabled = false;
        self._say(m.failed);
        self.dispatchEvent(new CustomEvent("upare-captcha-error", { detail: { message: String(error.message || error) }, bubbles: true, composed: true }));
      });
  };
  proto.reset = proto.refresh;

  // Fetches Image/pow and solves it in a worker (on this thread when the
  // worker cannot start, e.g. when the script came from another origin).
  proto._work = function (generation) {
    var self = this, m = this._messages;
    this._say(m.working);
    return fetch(this._api("Image/pow") + "?id=" + encodeURIComponent(this.scenario), { cache: "no-store" })
      .then(envelope)
      .then(function (challenge) { return solve(self.getAttribute("worker") || new URL("upare-pow-worker.js", scriptURL).href, challenge); })
      .then(function (payload) {
        if (generation !== self._generation) return;
        self._altcha = payload;
        self._say(m.ready);
        self._update();
        self.dispatchEvent(new CustomEvent("upare-captcha-pow", { detail: { altcha: payload }, bubbles: true, composed: true }));
      });
  };

  function solve(workerURL, challenge) {
    var task = {
      algorithm: challenge.algorithm, challenge: challenge.challenge, salt: challenge.salt,
      maxnumber: challenge.maxnumber, signature: challenge.signature,
    };
    return new Promise(function (resolve, reject) {
      var worker;
      try {
        worker = new Worker(workerURL);
      } catch (error) {
        return solveHere(workerURL, task).then(resolve, reject);
      }
      worker.onmessage = function (event) {
        worker.terminate();
        if (event.data.error) reject(new Error(event.data.error));
        else resolve(event.data.payload);
      };
      worker.onerror = function (event) {
        worker.terminate();
        event.preventDefault();
        solveHere(workerURL, task).then(resolve, reject);
      };
      worker.postMessage(task);
    });
  }

  function solveHere(workerURL, task) {
    return new Promise(function (resolve, reject) {
      if (window.upareSolve) return resolve(window.upareSolve(task));
      var tag = document.createElement("script");
      tag.src = workerURL;
      tag.onload = function () {
        try { resolve(window.upareSolve(task)); } catch (error) { reject(error); }
      };
      tag.onerror = function () { reject(new Error("the proof-of-work script could not be loaded")); };
      document.head.appendChild(tag);
    });
  }

  /** Plays the current challenge spoken (in the widget's language). */
  proto.listen = function () {
    var self = this, m = this._messages;
    if (!this._token) return Promise.resolve();
    var url = this._api("Image/captchaAudio") + "?captcha_token=" + encodeURIComponent(this._token) +
      "&id=" + encodeURIComponent(this.scenario) + "&lang=" + language(this);
    this._listenButton.disabled = true;
    return fetch(url, { cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.blob();
      })
      .then(function (wav) {
        if (self._audioURL) URL.revokeObjectURL(self._audioURL);
        self._audioURL = URL.createObjectURL(wav);
        self._audio.src = self._audioURL;
        self._audio.dataset.type = wav.type;
        self._say(m.playing);
        var playing = self._audio.play();
        // Without a sound device (or when autoplay is refused) the clip stays loaded.
        if (playing && playing.catch) playing.catch(function () {});
      })
      .catch(function () { self._say(m.audioFailed); })
      .then(function () {
        self._listenButton.disabled = false;
        self._input.focus();
      });
  };

  proto.formResetCallback = function () { this.refresh(); };

  customElements.define("upare-captcha", UpareCaptcha);
})();
