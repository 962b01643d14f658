public import Raster

/// What a captcha looks like and how long it lives. The names and meanings
/// follow ThinkPHP's think-captcha configuration, so that its users can carry
/// their settings over; `validated()` refuses values outside sane ranges.
public struct CaptchaOptions: Sendable, Equatable {
    /// Characters a code is drawn from (ThinkPHP `codeSet`). The default leaves
    /// out characters people confuse: 0/O/D/Q, 1/I/L, 5/S, 8/B, 6/G, 2/Z, U/V.
    public var codeSet: String = "2346789ACEFHJKMNPRTWXY"
    /// Number of characters (ThinkPHP `length`).
    public var length: Int = 4
    /// Glyph size in pixels (ThinkPHP `fontSize`).
    public var fontSize: Int = 32
    /// Image width in pixels; 0 derives it from `fontSize` and `length` (ThinkPHP `imageW`).
    public var imageW: Int = 0
    /// Image height in pixels; 0 derives it from `fontSize` (ThinkPHP `imageH`).
    public var imageH: Int = 0
    /// Draw interference curves across the text (ThinkPHP `useCurve`).
    public var useCurve: Bool = true
    /// Draw clutter in the ink colour over the background (ThinkPHP `useNoise`).
    public var useNoise: Bool = true
    /// Chinese characters instead of `codeSet` (ThinkPHP `useZh`).
    public var useZh: Bool = false
    /// Characters for `useZh` (ThinkPHP `zhSet`); nil is upare's set of common hanzi.
    public var zhSet: String? = nil
    /// An arithmetic question instead of a code (ThinkPHP `math`).
    public var math: Bool = false
    /// A folder of PNG/JPEG/BMP pictures to use as backgrounds (ThinkPHP `useImgBg`
    /// with its `bgs` folder); nil for a plain background.
    public var useImgBg: String? = nil
    /// Background colour (ThinkPHP `bg`). The ink colour is chosen for a contrast
    /// ratio of at least 7:1 against it.
    public var bg: RGBA = RGBA(243, 251, 254)
    /// Font file paths (ThinkPHP `fontttf`): one face, or several to pick from per
    /// glyph. Empty uses every face in the font library.
    public var fontttf: [String] = []
    /// Seconds a challenge stays valid (ThinkPHP `expire`).
    public var expire: Int = 1800
    /// Whether any verification attempt consumes the challenge (ThinkPHP `reset`,
    /// the API's `flush`). When false, a wrong answer keeps it, up to `maxAttempts`.
    public var reset: Bool = true
    /// Wrong answers allowed when `reset` is false before the challenge is dropped.
    public var maxAttempts: Int = 5
    /// Whether answers compare case-sensitively (ThinkPHP compares case-insensitively).
    public var caseSensitive: Bool = false
    /// How hard the picture is to read: the preset style the renderer draws
    /// (a keyed style moves within the same preset's ranges).
    public var difficulty: CaptchaDifficulty = .normal

    public init() {}

    /// The image width in effect: `imageW`, or derived as ThinkPHP does from the font size.
    public var width: Int { imageW > 0 ? imageW : fontSize * (glyphCount + 1) }
    /// The image height in effect.
    public var height: Int { imageH > 0 ? imageH : (fontSize * 15 + 4) / 8 }

    /// Glyphs drawn: the code length, or the characters of a math question.
    var glyphCount: Int { math ? 5 : length }

    private func hex(_ c: RGBA) -> String {
        [c.r, c.g, c.b].map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    public static let widthRange = 40...1000
    public static let heightRange = 20...400
    public static let fontSizeRange = 10...120
    public static let lengthRange = 1...12
    public static let expireRange = 10...86_400

    /// These options, or `.invalidOption` naming the first one out of range.
    public func validated() throws(CaptchaError) -> CaptchaOptions {
        func check(_ name: String, _ value: Int, _ range: ClosedRange<Int>) throws(CaptchaError) {
            guard range.contains(value) else {
                throw .invalidOption("\(name) must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
            }
        }
        try check("length", length, Self.lengthRange)
        try check("fontSize", fontSize, Self.fontSizeRange)
        if imageW != 0 { try check("imageW", imageW, Self.widthRange) }
        if imageH != 0 { try check("imageH", imageH, Self.heightRange) }
        try check("derived width", width, Self.widthRange)
        try check("derived height", height, Self.heightRange)
        try check("expire", expire, Self.expireRange)
        try check("maxAttempts", maxAttempts, 1...100)
        if !useZh && !math {
            let distinct = Set(codeSet.unicodeScalars.filter { !$0.properties.isWhitespace })
            guard distinct.count >= 2 else { throw .invalidOption("codeSet needs at least 2 distinct characters") }
            guard codeSet.unicodeScalars.count <= 4096 else { throw .invalidOption("codeSet is longer than 4096 characters") }
        }
        if let zhSet, useZh, Set(zhSet.unicodeScalars).count < 2 {
            throw .invalidOption("zhSet needs at least 2 distinct characters")
        }
        // Black on it or white on it must reach 7:1, or no ink colour can.
        let luminance = bg.relativeLuminance
        guard luminance >= 0.3 || luminance <= 0.1 else {
            throw .invalidOption("bg #\(hex(bg)) is too mid-toned for a 7:1 contrast with any ink; choose a lighter or darker colour")
        }
        guard fontttf.count <= 64 else { throw .invalidOption("fontttf lists more than 64 faces") }
        return self
    }
}
