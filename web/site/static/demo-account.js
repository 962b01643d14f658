// The accounts page of the demo: register and log in through upare's API.
"use strict";

const api = async (name, body) => {
  const response = await fetch(`/api/${name}`, { method: "POST", body: new URLSearchParams(body) });
  return response.json();
};

const show = (element, reply, success) => {
  const ok = reply.error_code === 0;
  element.textContent = ok ? success(reply) : `${reply.message}${reply.detail ? ": " + reply.detail : ""} (error ${reply.error_code})`;
  element.className = `result ${ok ? "ok" : "error"}`;
  return ok;
};

const sessionState = document.getElementById("session-state");
const logout = document.getElementById("logout");

const signedIn = (data) => {
  sessionState.textContent = `Logged in as ${data.username} (uid ${data.uid}).`;
  logout.hidden = false;
};

document.getElementById("register-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const reply = await api("User/register", new FormData(event.target));
  if (show(document.getElementById("register-result"), reply, (d) => `Account ${d.username} created (uid ${d.uid}). Log in on the right.`)) {
    event.target.reset();
  }
});

document.getElementById("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const reply = await api("User/login", new FormData(form));
  if (show(document.getElementById("login-result"), reply, (d) => `Welcome, ${d.username}.`)) {
    signedIn(reply);
    form.reset();
  } else {
    // A challenge is used up by any answer: the widget needs a new one.
    document.getElementById("login-captcha").reset();
  }
});

logout.addEventListener("click", async () => {
  await api("User/logout", {});
  sessionState.textContent = "Not logged in.";
  logout.hidden = true;
});
