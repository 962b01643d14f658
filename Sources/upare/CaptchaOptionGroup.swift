import ArgumentParser
import Captcha
import Raster

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
        if let background {
            guard let color = RGBA(hex: background) else { throw ValidationError("--background must be #rrggbb") }
            options.bg = color
        }
        return options
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
}
