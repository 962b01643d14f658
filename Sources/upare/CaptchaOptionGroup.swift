import ArgumentParser
import Captcha
import Foundation
import Raster
import Server

/// The ThinkPHP-named captcha options, shared by `captcha` and `bench captcha`.
struct CaptchaOptionGroup: ParsableArguments {
    @Option(help: "Characters codes are drawn from (codeSet).")
    var codeSet: String?
    @Option(help: "Characters per code (length).")
    var length: Int?
    @Option(help: "Glyph size in pixels (fontSize).")
    var fontSize: Int?
    @Option(name: .customLong("width"), help: "Image width; 0 derives it from the font size (imageW).")
    var imageW: Int?
    @Option(name: .customLong("height"), help: "Image height; 0 derives it (imageH).")
    var imageH: Int?
    @Flag(inversion: .prefixedNo, help: "Interference curves (useCurve).")
    var curve = true
    @Flag(inversion: .prefixedNo, help: "Clutter over the background (useNoise).")
    var noise = true
    @Flag(help: "Chinese characters (useZh).")
    var zh = false
    @Flag(help: "An arithmetic question instead of a code (math).")
    var math = false
    @Option(help: "A folder of background pictures (useImgBg).")
    var imageBackgrounds: String?
    @Option(help: "Background colour as #rrggbb (bg).")
    var background: String?
    @Option(name: .customLong("font"), help: "A font file; repeat to choose among several per glyph (fontttf).")
    var fonts: [String] = []
    @Option(help: "easy, normal (the default) or hard.", transform: Self.difficulty(named:))
    var difficulty: CaptchaDifficulty = .normal
    @Option(help: ArgumentHelp(
        "A file holding the server secret (as UPARE_SECRET): draw that deployment's keyed style.",
        discussion: "Without it (and without UPARE_SECRET) the public style of the difficulty is drawn."))
    var styleSecret: String?
    @Option(help: ArgumentHelp(
        "Style overrides, name=value[,name=low-high...], for measuring variants (docs/captcha-strength.md).",
        valueName: "overrides"))
    var style: String?

    func captchaOptions() throws -> CaptchaOptions {
        var options = CaptchaOptions()
        if let codeSet { options.codeSet = codeSet }
        if let length { options.length = length }
        if let fontSize { options.fontSize = fontSize }
        if let imageW { options.imageW = imageW }
        if let imageH { options.imageH = imageH }
        options.useCurve = curve
        options.useNoise = noise
        options.useZh = zh
        options.math = math
        options.useImgBg = imageBackgrounds
        options.fontttf = fonts
        options.difficulty = difficulty
        if let background {
            guard let color = RGBA(hex: background) else { throw ValidationError("--background must be #rrggbb") }
            options.bg = color
        }
        return options
    }
}

extension CaptchaOptionGroup {
    static func difficulty(named name: String) throws -> CaptchaDifficulty {
        guard let difficulty = CaptchaDifficulty(rawValue: name) else {
            throw ValidationError("--difficulty must be one of \(CaptchaDifficulty.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return difficulty
    }

    /// A renderer for these options and style, with `fonts` (default: the standard fonts).
    func renderer(fonts given: FontLibrary? = nil) throws -> CaptchaRenderer {
        let fonts = try given ?? FontLibrary.standard()
        return try CaptchaRenderer(options: captchaOptions(), fonts: fonts, style: captchaStyle(faceCount: fonts.faces.count))
    }

    /// The style to draw: the keyed style of `--style-secret` or `UPARE_SECRET`,
    /// else the public preset, then `--style` overrides.
    func captchaStyle(faceCount: Int) throws -> CaptchaStyle {
        var secretText: String?
        if let styleSecret {
            guard let text = try? String(contentsOfFile: styleSecret, encoding: .utf8) else {
                throw ValidationError("cannot read the style secret file \(styleSecret)")
            }
            secretText = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else if let text = ProcessInfo.processInfo.environment["UPARE_SECRET"], !text.isEmpty {
            secretText = text
        }
        var style = CaptchaStyle.preset(difficulty)
        if let secretText {
            // The same derivation as `upare serve`, so the CLI draws the server's style.
            let secret: ServerSecret
            do { secret = try ServerSecret(text: secretText) } catch { throw ValidationError("\(error)") }
            style = CaptchaStyle.keyed(secret: secret.derive("captcha-style"), difficulty: difficulty, faceCount: faceCount)
        }
        if let overrides = self.style { style = try style.applying(overrides: overrides) }
        return style
    }
}

/// An output format named on the command line: png, jpg (or jpeg) or bmp.
struct OutputFormat: ExpressibleByArgument {
    let format: ImageFormat

    init(_ format: ImageFormat) {
        self.format = format
    }

    init?(argument: String) {
        guard let format = ImageFormat(fileExtension: argument) else { return nil }
        self.format = format
    }

    static var allValueStrings: [String] { ["png", "jpg", "bmp"] }

    /// What help shows as the default ("png", not the struct's description).
    var defaultValueDescription: String { format.fileExtension }
}
