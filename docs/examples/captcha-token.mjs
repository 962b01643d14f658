// The token flow with fetch (a browser page on another origin, or Node 18+).
// UPARE_URL (default http://127.0.0.1:8080); ANSWER is what the person read.
const base = process.env.UPARE_URL ?? "http://127.0.0.1:8080";
const issued = await (await fetch(`${base}/api/Image/captcha?id=login&response_type=json`)).json();
// In a page: document.querySelector("img.captcha").src = issued.image;
const body = new URLSearchParams({ id: "login", captcha_token: issued.captcha_token, captcha: process.env.ANSWER });
const reply = await (await fetch(`${base}/api/Image/captchaVerify`, { method: "POST", body })).json();
console.log(JSON.stringify(reply));
process.exit(reply.error_code === 0 ? 0 : 1);
