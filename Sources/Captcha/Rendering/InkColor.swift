import Foundation
public import Raster

/// Ink colours that read for everyone: a random hue, with the lightness pushed
/// until the WCAG contrast ratio against the background is at least `minimumContrast`.
/// The text is told from the background by luminance, never by hue alone, so it
/// reads in greyscale and with any colour-vision deficiency.
public enum InkColor {
    public static let minimumContrast = 7.0

    /// An ink of a hue from `hues` (degrees, wrapping past 360).
    public static func pick(
        against background: RGBA, hues: ClosedRange<Double> = 0...360, using random: inout CaptchaRandom
    ) -> RGBA {
        let hue = random.uniform(hues).truncatingRemainder(dividingBy: 360)
        let saturation = random.uniform(0.45...0.85)
        let darkInk = background.relativeLuminance > 0.18
        // Walk lightness away from the background until the contrast holds.
        var lightness = darkInk ? 0.42 : 0.62
        var ink = hsl(hue, saturation, lightness)
        while ink.contrastRatio(with: background) < minimumContrast {
            lightness += darkInk ? -0.02 : 0.02
            if lightness <= 0 { return .black }
            if lightness >= 1 { return .white }
            ink = hsl(hue, saturation, lightness)
        }
        return ink
    }

    /// HSL (hue in degrees, saturation and lightness 0...1) to opaque sRGB.
    static func hsl(_ hue: Double, _ saturation: Double, _ lightness: Double) -> RGBA {
        let c = (1 - abs(2 * lightness - 1)) * saturation
        let h = hue.truncatingRemainder(dividingBy: 360) / 60
        let x = c * (1 - abs(h.truncatingRemainder(dividingBy: 2) - 1))
        let (r, g, b): (Double, Double, Double)
        switch h {
        case ..<1: (r, g, b) = (c, x, 0)
        case ..<2: (r, g, b) = (x, c, 0)
        case ..<3: (r, g, b) = (0, c, x)
        case ..<4: (r, g, b) = (0, x, c)
        case ..<5: (r, g, b) = (x, 0, c)
        default: (r, g, b) = (c, 0, x)
        }
        let m = lightness - c / 2
        func byte(_ v: Double) -> UInt8 { UInt8(min(max((v + m) * 255, 0), 255).rounded()) }
        return RGBA(byte(r), byte(g), byte(b))
    }
}
