import Foundation
import Raster

/// The images the benchmarks work on, made once per process.
enum Inputs {
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

    /// A 12-megapixel (4000 x 3000) photo-like picture.
    static let photo = Image.photoLike(width: 4000, height: 3000)

    static let photoPNG: [UInt8] = { (try? PNG.encode(photo, layout: .rgb, options: PNG.EncodeOptions(compressionLevel: 1, filter: .none, compressor: .zlib))) ?? [] }()
    static let photoJPEG: [UInt8] = { (try? JPEG.encode(photo, options: JPEG.EncodeOptions(quality: 85))) ?? [] }()
}
