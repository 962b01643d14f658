import Foundation

/// An 8-bit-per-channel colour with straight (not premultiplied) alpha.
public struct RGBA: Hashable, Sendable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8
    public var a: UInt8

    @inlinable
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8, _ a: UInt8 = 255) {
        self.r = r
        self.g = g
        self.b = b
        self.a = a
    }

    public static let black = RGBA(0, 0, 0)
    public static let white = RGBA(255, 255, 255)
    public static let transparent = RGBA(0, 0, 0, 0)

    /// Parses `#rgb`, `#rrggbb` or `#rrggbbaa` (the `#` is optional).
    public init?(hex: String) {
        var digits = Substring(hex)
        if digits.hasPrefix("#") { digits = digits.dropFirst() }
        guard let value = UInt32(digits, radix: 16) else { return nil }
        switch digits.count {
        case 3:
            let r = UInt8((value >> 8) & 0xF), g = UInt8((value >> 4) & 0xF), b = UInt8(value & 0xF)
            self.init(r * 17, g * 17, b * 17)
        case 6:
            self.init(UInt8(value >> 16), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF))
        case 8:
            self.init(
                UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF),
                UInt8(value & 0xFF))
        default:
            return nil
        }
    }

    /// Relative luminance per WCAG 2 (0 black ... 1 white), from sRGB.
    public var relativeLuminance: Double {
        func linear(_ channel: UInt8) -> Double {
            let c = Double(channel) / 255
            return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    }

    /// WCAG contrast ratio between two opaque colours (1 ... 21).
    public func contrastRatio(with other: RGBA) -> Double {
        let l1 = relativeLuminance, l2 = other.relativeLuminance
        return (max(l1, l2) + 0.05) / (min(l1, l2) + 0.05)
    }

    /// Linear interpolation towards `other` by `t` in 0...255.
    @inlinable
    public func mixed(with other: RGBA, by t: Int) -> RGBA {
        @inline(__always) func lerp(_ a: UInt8, _ b: UInt8) -> UInt8 {
            UInt8((Int(a) * (255 - t) + Int(b) * t + 127) / 255)
        }
        return RGBA(lerp(r, other.r), lerp(g, other.g), lerp(b, other.b), lerp(a, other.a))
    }
}
