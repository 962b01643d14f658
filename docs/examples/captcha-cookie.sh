#!/bin/sh
# The cookie flow with curl: a captcha for the scenario "login", then its check.
# UPARE_URL (default http://127.0.0.1:8080); ANSWER is what the person read.
set -eu
base=${UPARE_URL:-http://127.0.0.1:8080}
jar=$(mktemp)
curl -s -c "$jar" -o captcha.png "$base/api/Image/captcha?id=login"
answer=${ANSWER:?read captcha.png and set ANSWER}
reply=$(curl -s -b "$jar" --data-urlencode "captcha=$answer" -d id=login "$base/api/Image/captchaVerify")
rm -f "$jar"
echo "$reply"
case "$reply" in *'"error_code":0'*) ;; *) exit 1 ;; esac
