import Crypto
import Foundation

/// How hard a captcha is to read, for people and for solvers. `normal` is the
/// default; the figures behind each preset are in docs/captcha-strength.md.
public enum CaptchaDifficulty: String, Sendable, CaseIterable, Equatable {
    case easy, normal, hard
}

/// The drawing parameters of a captcha: which distortions, how strong, which
/// faces. A preset gives the public style of each difficulty; `keyed(secret:)`
/// moves a deployment's style to its own point inside the preset's ranges, so
/// that a solver trained on the public style (or on other keys) transfers
/// badly to it. What each costs solvers and people is measured in
/// docs/captcha-strength.md.
public struct CaptchaStyle: Sendable, Equatable {
    /// Share of glyphs drawn as outlines instead of solid.
    public var hollowShare: Double
    /// Glyph fragments (clipped parts of glyphs of the same set, same size and
    /// ink) drawn a little above or below the text.
    public var fragments: ClosedRange<Int>
    /// Whether cut glyphs also sit at both ends of the line, touching it (hard:
    /// a person must tell a cut glyph from a whole one).
    public var endFragments: Bool
    /// Share of each fragment's glyph that is kept.
    public var fragmentKeep: ClosedRange<Double>
    /// Amplitude in pixels of each glyph's own warp (local, not the line's wave).
    public var localWarp: Double
    /// Period of each glyph's own warp, in glyph sizes (longer bends, shorter crumples).
    public var localPeriod: Double
    /// Vertical jitter of each glyph's centre, as a share of the height.
    public var lift: Double
    /// Spread of each glyph's scale around 1 (0.12: 0.88 to 1.12).
    public var sizeSpread: Double
    /// Background-coloured waves cut through the text (a person closes the
    /// gaps; ddddocr, trained on whole strokes, does not).
    public var cuts: Int
    /// Scale of the whole line's wave (1 is the first wave's amplitude).
    public var wave: Double
    /// Centre-to-centre step over the mean half-widths of neighbouring glyphs:
    /// under 1 they overlap.
    public var crowding: ClosedRange<Double>
    /// Largest rotation (radians) and shear of a glyph.
    public var rotation: Double
    public var shear: Double
    /// Same-ink strokes behind the text, per 1000 pixels; the glyphs get a halo
    /// of background so that they keep their contrast over it.
    public var texture: Double
    /// Extra glyphs a code may have beyond `length`: 0 is a fixed length.
    public var extraLength: Int
    /// Which faces of the library to draw from (indices, wrapped); empty is all.
    public var faces: [Int]
    /// Hues (degrees) the ink colour is drawn from.
    public var hues: ClosedRange<Double>
    /// The interference curves' and clutter's amount (1 is the base amount).
    public var clutter: Double

    public init(
        hollowShare: Double = 0, fragments: ClosedRange<Int> = 0...0, endFragments: Bool = false,
        fragmentKeep: ClosedRange<Double> = 0.3...0.5, localWarp: Double = 0, localPeriod: Double = 1,
        wave: Double = 1, crowding: ClosedRange<Double>, rotation: Double, shear: Double, lift: Double = 0.07,
        sizeSpread: Double = 0.12, cuts: Int = 0, texture: Double = 0, extraLength: Int = 0, faces: [Int] = [],
        hues: ClosedRange<Double> = 0...360, clutter: Double = 1
    ) {
        self.localPeriod = localPeriod
        self.lift = lift
        self.sizeSpread = sizeSpread
        self.cuts = cuts
        self.hollowShare = hollowShare
        self.fragments = fragments
        self.endFragments = endFragments
        self.fragmentKeep = fragmentKeep
        self.localWarp = localWarp
        self.wave = wave
        self.crowding = crowding
        self.rotation = rotation
        self.shear = shear
        self.texture = texture
        self.extraLength = extraLength
        self.faces = faces
        self.hues = hues
        self.clutter = clutter
    }

    /// The public style of `difficulty`.
    public static func preset(_ difficulty: CaptchaDifficulty) -> CaptchaStyle {
        switch difficulty {
        case .easy:
            return CaptchaStyle(wave: 0.9, crowding: 0.9...1.0, rotation: 0.25, shear: 0.2, clutter: 0.7)
        case .normal:
            // The first design's geometry with one cut through the text: the
            // levers that cost solvers more cost people too much at this size
            // (docs/captcha-strength.md has the table).
            return CaptchaStyle(crowding: 0.84...0.95, rotation: 0.3, shear: 0.26, cuts: 1)
        case .hard:
            // What ddddocr reads at most 2% of; people read it slowly.
            return CaptchaStyle(
                fragments: 1...2, endFragments: true, localWarp: 1.0, crowding: 0.88...0.98, rotation: 0.3,
                shear: 0.26, cuts: 3, extraLength: 1)
        }
    }

    /// The style of one deployment: the preset moved by HMAC-SHA256 of `secret`
    /// (families switched on per key, shared parameters moved by up to 25-40%).
    /// The same secret always gives the same style; the secret itself cannot be
    /// recovered from it. Transfer and legibility: docs/captcha-strength.md.
    public static func keyed(secret: [UInt8], difficulty: CaptchaDifficulty, faceCount: Int) -> CaptchaStyle {
        let tag = HMAC<SHA256>.authenticationCode(
            for: Data("upare-captcha-style-v1\u{0}\(difficulty.rawValue)".utf8), using: SymmetricKey(data: secret))
        let seed = Array(tag).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        var random = CaptchaRandom(seed: seed)
        var style = preset(difficulty)
        func jitter(_ value: Double, by share: Double) -> Double {
            value * random.uniform((1 - share)...(1 + share))
        }
        // Families the public style does not draw, each on or off per key, then
        // the shared parameters moved.
        if random.uniform(0...1) < 0.5 { style.hollowShare = max(style.hollowShare, random.uniform(0.1...0.2)) }
        if random.uniform(0...1) < 0.5 { style.localWarp = max(style.localWarp, random.uniform(0.3...0.7)) }
        if difficulty != .easy, random.uniform(0...1) < 0.5 {
            style.texture = random.uniform(1.5...3)
        }
        if random.uniform(0...1) < 0.5 {
            style.fragments = style.fragments.lowerBound...max(1, style.fragments.upperBound)
        }
        style.wave = jitter(style.wave, by: 0.3)
        let lower = style.crowding.lowerBound + random.uniform(-0.04...0.04)
        style.crowding = lower...(lower + random.uniform(0.08...0.14))
        style.rotation = jitter(style.rotation, by: 0.25)
        style.shear = jitter(style.shear, by: 0.3)
        style.lift = jitter(style.lift, by: 0.4)
        style.sizeSpread = jitter(style.sizeSpread, by: 0.4)
        // Two or three of the faces, a different mix per key.
        if faceCount > 1 {
            var all = Array(0..<faceCount)
            all.shuffle(using: &random)
            style.faces = Array(all.prefix(min(faceCount, Int.random(in: 2...3, using: &random))))
        }
        // A third of the colour wheel, anywhere on it.
        let hue = random.uniform(0...360)
        style.hues = hue...(hue + 120)
        return style
    }

    /// This style with `overrides` ("name=value,name=low-high,...") applied: how
    /// `scripts/solver-check` measures one variant at a time.
    public func applying(overrides: String) throws(CaptchaError) -> CaptchaStyle {
        var style = self
        for item in overrides.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { throw .invalidOption("style: expected name=value, not \(item)") }
            let name = parts[0], value = parts[1]
            func number() throws(CaptchaError) -> Double {
                guard let number = Double(value), number.isFinite, number >= 0, number <= 100 else {
                    throw .invalidOption("style: \(name) must be a number from 0 to 100, not \(value)")
                }
                return number
            }
            func range() throws(CaptchaError) -> ClosedRange<Double> {
                let ends = value.split(separator: "-").compactMap { Double($0) }
                guard (1...2).contains(ends.count), let low = ends.first, let high = ends.last, low <= high,
                      low >= 0, high <= 1000
                else { throw .invalidOption("style: \(name) must be a number or low-high, not \(value)") }
                return low...high
            }
            switch name {
            case "hollow": style.hollowShare = min(1, try number())
            case "fragments":
                let r = try range()
                guard r.upperBound <= 12 else { throw .invalidOption("style: at most 12 fragments") }
                style.fragments = Int(r.lowerBound)...Int(r.upperBound)
            case "keep":
                let r = try range()
                guard r.upperBound <= 1 else { throw .invalidOption("style: keep is a share from 0 to 1") }
                style.fragmentKeep = r
            case "local": style.localWarp = min(6, try number())
            case "wave": style.wave = min(3, try number())
            case "period": style.localPeriod = min(4, max(0.3, try number()))
            case "cuts": style.cuts = min(8, Int(try number()))
            case "lift": style.lift = min(0.3, try number())
            case "sizes": style.sizeSpread = min(0.4, try number())
            case "crowding":
                let r = try range()
                guard r.lowerBound >= 0.5, r.upperBound <= 1.5 else { throw .invalidOption("style: crowding is 0.5 to 1.5") }
                style.crowding = r
            case "rotation": style.rotation = min(1, try number())
            case "shear": style.shear = min(1, try number())
            case "texture": style.texture = min(20, try number())
            case "ends": style.endFragments = try number() > 0
            case "extra": style.extraLength = min(4, Int(try number()))
            case "clutter": style.clutter = min(4, try number())
            default: throw .invalidOption("style: unknown parameter \(name)")
            }
        }
        return style
    }
}
