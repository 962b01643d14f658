/// `docs/configuration.md`, written from `ServerConfiguration.settings` by
/// `upare settings --markdown`; a test holds the committed file to it.
public enum SettingsReference {
    public static func markdown() -> String {
        var lines = [
            "# Configuring upare",
            "",
            "<!-- Generated from Sources/Server/App/ServerSettings.swift by",
            "     `upare settings --markdown > docs/configuration.md`; a test fails when they differ. -->",
            "",
            "`upare serve` takes its settings from a JSON file (`--config FILE`, or `UPARE_CONFIG`) and from",
            "environment variables; each setting's `UPARE_` variable wins over its key in the file, and the",
            "flags `--host`, `--port` and `--database` win over both. A value that does not fit stops the",
            "server at start with the setting's name and what it must be, and so does an unknown key in",
            "the file.",
            "",
            "```json",
            "{",
            "  \"port\": 8080,",
            "  \"database\": \"/var/lib/upare/upare.sqlite\",",
            "  \"secretFile\": \"/etc/upare/secret\",",
            "  \"corsOrigins\": [\"https://app.example\"],",
            "  \"captcha\": {",
            "    \"length\": 5, \"difficulty\": \"normal\", \"expire\": 600,",
            "    \"login\": {\"length\": 4},",
            "    \"comment\": {\"math\": true, \"difficulty\": \"easy\"}",
            "  }",
            "}",
            "```",
            "",
            "## The server",
            "",
            "| key | variable | meaning (default) |",
            "| --- | --- | --- |",
        ]
        for setting in ServerConfiguration.settings where !setting.key.hasPrefix("captcha.") {
            lines.append("| `\(setting.key)` | `\(setting.environment)` | \(cell(setting.summary)) |")
        }
        lines += [
            "",
            "Set `secret` (or `secretFile`) in production: it keys captcha answers and verification codes",
            "and seals the outbox, picture keys and ID numbers. Without it the server keeps a random secret",
            "in the database it protects and warns at every start. `deploy/upare.service` passes it as the",
            "systemd credential `upare-secret`, read without any setting.",
            "",
            "The captcha test mode is for integrators' end-to-end suites: the answer `upare-test-pass`",
            "always passes and `upare-test-fail` always fails, with or without a challenge. It is refused",
            "at start unless the server listens on a loopback address (or `captchaTestModeAnywhere` is",
            "set), and every start with it logs a warning.",
            "",
            "## Captchas",
            "",
            "The options of ThinkPHP's think-captcha, under its names, in the file's `captcha` object. Each",
            "object inside it is a scenario (think-captcha's `captcha.<name>` sections): the captchas of",
            "the spec's `id` of that name take the options above with the section's on top, and are",
            "checked with them. Scenario sections are set in the file only.",
            "",
            "| key | variable | meaning (default) |",
            "| --- | --- | --- |",
        ]
        for setting in ServerConfiguration.settings where setting.key.hasPrefix("captcha.") {
            lines.append("| `\(setting.key)` | `\(setting.environment)` | \(cell(setting.summary)) |")
        }
        lines += [
            "",
            "## Fonts and voices",
            "",
            "| variable | meaning |",
            "| --- | --- |",
            "| `UPARE_FONTS` | a folder of .ttf/.otf/.ttc faces to draw captchas with instead of the shipped ones. "
                + "Without it the shipped faces are found beside the binary (`upare_Fonts.resources`, what `swift build` makes), "
                + "in its prefix (`<prefix>/share/upare/fonts`, what `make install` makes), or in the source tree it was built "
                + "from; `upare serve` logs the folder at start |",
            "| `UPARE_CJK_FONT` | the face for Chinese captchas (`useZh`); default the first of Debian's fonts-wqy-microhei, "
                + "fonts-noto-cjk, fonts-wqy-zenhei |",
            "| `UPARE_VOICES` | a folder of the audio captcha's clips (`en/` and `zh/`, 16-bit mono WAV) instead of the shipped ones, "
                + "which are found as the fonts are (`upare_Voices.resources`, `<prefix>/share/upare/voices`, the source tree) |",
            "",
            "## The command line",
            "",
            "| variable | meaning |",
            "| --- | --- |",
            "| `UPARE_CONFIG` | the configuration file of `upare serve` when `--config` is not given |",
            "| `UPARE_DISORDER_KEY` | the key of `upare disorder encrypt/decrypt` without `--key-file` (64 hex digits, "
                + "base64 of 32 bytes, or a passphrase); prefer `--key-file FILE` or `--key-file -`, since a process's "
                + "environment can be read by others of the same user |",
            "| `UPARE_SECRET` | also read by `upare captcha` and `upare bench captcha` to draw this deployment's keyed style "
                + "(`--style-secret FILE` instead) |",
            "| `UPARE_DATABASE` | the database of `upare outbox`, `upare user`, `upare client` |",
            "",
            "Exit status of every command: 0 success; 1 some files failed (the others were done); 2 usage",
            "error; 3 nothing done (every file failed, or the command could not start).",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|")
    }
}
