import Foundation
import Raster

/// The images the benchmarks work on, made once per process.
enum Inputs {
    /// SplitMix64, so every run works on the same pixels.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let fontPath: String = {
        let here = URL(fileURLWithPath: #filePath)
        return here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fonts/DejaVuSans-Bold.ttf").path
    }()

    static let face: FontFace = {
        do { return try FontFace(contentsOf: fontPath) } catch { fatalError("benchmark font: \(error)") }
    }()

    /// A captcha-like 160x60 render: four rotated glyphs, a curve, on a light ground.
    static let captchaRGBA: Image = {
        var image = Image(width: 160, height: 60, fill: RGBA(245, 242, 235))
        image.drawSineCurve(fromX: 0, toX: 160, baseline: 32, amplitude: 8, period: 64, width: 2.5, color: RGBA(30, 50, 120))
        var x = 20.0
        for (i, scalar) in "K7pW".unicodeScalars.enumerated() {
            guard let glyph = try? face.glyph(for: scalar, pixelSize: 36) else { continue }
            image.draw(glyph, at: Point(x, 46), transform: .rotation(i % 2 == 0 ? -0.2 : 0.25), color: RGBA(30, 50, 120))
            x += glyph.advance * 0.85
        }
        return image
    }()

    /// The same picture reduced to 16 colours between ground and ink, as the
    /// captcha renderer produces it.
    static let captchaIndexed: IndexedImage = {
        let background = RGBA(245, 242, 235), ink = RGBA(30, 50, 120)
        let palette = (0..<16).map { background.mixed(with: ink, by: $0 * 17) }
        let gray = captchaRGBA.grayscale()
        let light = Int(background.r), dark = 30
        let indices = gray.pixels.map { v -> UInt8 in
            let t = min(max((light - Int(v)) * 15 / max(1, light - dark), 0), 15)
            return UInt8(t)
        }
        do { return try IndexedImage(width: 160, height: 60, palette: palette, indices: indices) } catch { fatalError("\(error)") }
    }()

    /// A 12-megapixel (4000 x 3000) photo-like picture: smooth light, texture and grain.
    static let photo: Image = {
        let width = 4000, height = 3000
        var random = Random(state: 12)
        var image = Image(width: width, height: height)
        image.pixels.withUnsafeMutableBufferPointer { p in
            for y in 0..<height {
                for x in 0..<width {
                    let fx = Double(x) / Double(width), fy = Double(y) / Double(height)
                    let shade = 0.5 + 0.25 * sin(fx * 9 + fy * 4) + 0.2 * cos(fy * 13 - fx * 3)
                    let grain = Double(Int(random.next() % 13) - 6)
                    let i = (y * width + x) * 4
                    p[i] = UInt8(clamping: Int(shade * 220 + grain + 20 * sin(Double(x) / 17)))
                    p[i + 1] = UInt8(clamping: Int(shade * 180 + grain + fy * 40))
                    p[i + 2] = UInt8(clamping: Int((1 - shade) * 200 + grain))
                    p[i + 3] = 255
                }
            }
        }
        return image
    }()

    static let photoPNG: [UInt8] = { (try? PNG.encode(photo, layout: .rgb, options: .fast)) ?? [] }()
    static let photoJPEG: [UInt8] = { (try? JPEG.encode(photo, options: JPEG.EncodeOptions(quality: 85))) ?? [] }()
}
