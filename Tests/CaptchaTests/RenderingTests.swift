import Captcha
import Foundation
import Raster
import Testing
import TestSupport

@Suite("Rendering")
struct RenderingTests {
    static func renderer(_ change: (inout CaptchaOptions) -> Void = { _ in }) throws -> CaptchaRenderer {
        var options = CaptchaOptions()
        change(&options)
        return try CaptchaRenderer(options: options, fonts: TestFonts.library)
    }

    static func picture(_ renderer: CaptchaRenderer, seed: UInt64) -> CaptchaPicture {
        var random = CaptchaRandom(seed: seed)
        let challenge = renderer.challenges.make(using: &random)
        return renderer.render(challenge, using: &random)
    }

    /// Fraction of pixels at least half ink.
    static func inkFraction(_ picture: CaptchaPicture) -> Double {
        guard case .indexed(let image) = picture else { return 0 }
        return Double(image.indices.filter { Int($0) * 2 >= image.palette.count }.count) / Double(image.indices.count)
    }

    @Test("seeded renders are stable; different seeds differ")
    func seeded() throws {
        let renderer = try Self.renderer()
        #expect(Self.picture(renderer, seed: 11) == Self.picture(renderer, seed: 11))
        #expect(Self.picture(renderer, seed: 11) != Self.picture(renderer, seed: 12))
    }

    @Test("golden statistics of the default captcha")
    func statistics() throws {
        let renderer = try Self.renderer()
        var fractions: [Double] = []
        for seed in 0..<40 as Range<UInt64> {
            let picture = Self.picture(renderer, seed: seed)
            #expect(picture.width == 160 && picture.height == 60)
            guard case .indexed(let image) = picture else {
                Issue.record("the default captcha is a palette picture")
                return
            }
            #expect(image.palette.count == 8)
            fractions.append(Self.inkFraction(picture))
        }
        // Text, curves and clutter cover a tenth to a quarter of the picture.
        let mean = fractions.reduce(0, +) / Double(fractions.count)
        #expect(mean > 0.08 && mean < 0.25, "mean ink fraction \(mean)")
        #expect(fractions.allSatisfy { $0 > 0.05 && $0 < 0.35 })
    }

    @Test("ink and background keep a 7:1 luminance contrast, for any background", arguments: [
        RGBA(243, 251, 254), RGBA(255, 255, 255), RGBA(20, 20, 30), RGBA(160, 160, 160), RGBA(250, 200, 200), RGBA(0, 0, 90),
    ])
    func contrast(_ background: RGBA) throws {
        let renderer = try Self.renderer { $0.bg = background }
        for seed in 0..<20 as Range<UInt64> {
            guard case .indexed(let image) = Self.picture(renderer, seed: seed) else { continue }
            let ink = image.palette[image.palette.count - 1], ground = image.palette[0]
            #expect(ground == background)
            #expect(ink.contrastRatio(with: ground) >= 7, "\(ink) on \(ground)")
        }
    }

    @Test("the text spans about half the width or more, never the whole")
    func layout() throws {
        let renderer = try Self.renderer { $0.useNoise = false; $0.useCurve = false }
        for seed in 0..<20 as Range<UInt64> {
            guard case .indexed(let image) = Self.picture(renderer, seed: seed) else { continue }
            var columns = Set<Int>()
            for (i, index) in image.indices.enumerated() where Int(index) * 2 >= image.palette.count { columns.insert(i % image.width) }
            let span = (columns.max() ?? 0) - (columns.min() ?? 0)
            #expect(span > 72 && span < 158, "text spans \(span) px")
        }
    }

    @Test("options change the picture: size, curves, noise, math, Chinese")
    func options() throws {
        let wide = try Self.renderer { $0.imageW = 300; $0.imageH = 90; $0.length = 6 }
        #expect(Self.picture(wide, seed: 1).width == 300)
        let plain = try Self.renderer { $0.useNoise = false; $0.useCurve = false }
        let busy = try Self.renderer()
        #expect(Self.inkFraction(Self.picture(plain, seed: 5)) < Self.inkFraction(Self.picture(busy, seed: 5)))
        let math = try Self.renderer { $0.math = true }
        #expect(Self.picture(math, seed: 1).width == 32 * 6)
        let chinese = try Self.renderer { $0.useZh = true }
        #expect(Self.inkFraction(Self.picture(chinese, seed: 1)) > 0.05)
    }

    @Test("a face without a glyph of the set is refused at start-up")
    func missingGlyph() throws {
        #expect {
            try Self.renderer { $0.codeSet = "AB\u{4E2D}" }  // 中 is in none of the Latin faces
        } throws: { error in
            guard case .font(let message)? = error as? CaptchaError else { return false }
            return message.contains("U+4E2D")
        }
        #expect(throws: CaptchaError.self) { try Self.renderer { $0.fontttf = ["/nonexistent.ttf"] } }
    }

    @Test("one named face is used for every glyph")
    func namedFace() throws {
        let path = PackagePaths.root.appendingPathComponent("fonts/LiberationSerif-Bold.ttf").path
        let renderer = try Self.renderer { $0.fontttf = [path] }
        #expect(Self.inkFraction(Self.picture(renderer, seed: 3)) > 0.05)
    }

    @Test("pictures from a background folder, with the contrast kept")
    func imageBackgrounds() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("upare-bg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var photo = Image(width: 320, height: 200, fill: RGBA(30, 90, 40))
        photo.fill(Rect(x: 0, y: 0, width: 160, height: 200), with: RGBA(250, 240, 20))
        try photo.write(to: folder.appendingPathComponent("a.png").path)
        try Data("not a picture".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let renderer = try Self.renderer { $0.useImgBg = folder.path }
        guard case .rgba(let image) = Self.picture(renderer, seed: 4) else {
            Issue.record("a background picture gives an RGBA captcha")
            return
        }
        #expect(image.width == 160 && image.height == 60 && image.isOpaque)
        let empty = folder.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(throws: CaptchaError.self) { try Self.renderer { $0.useImgBg = empty.path } }
    }

    @Test("PNG, JPEG and BMP outputs decode to the picture's size; PNG is a small 4-bit palette", arguments: ImageFormat.allCases)
    func formats(_ format: ImageFormat) throws {
        let renderer = try Self.renderer()
        let image = try Self.picture(renderer, seed: 9).encoded(as: format)
        #expect(ImageFormat.sniff(image.bytes) == format)
        let decoded = try Image.decode(image.bytes)
        #expect(decoded.width == 160 && decoded.height == 60)
        #expect(image.dataURI.hasPrefix("data:\(format.mimeType);base64,"))
        if format == .png {
            #expect(image.bytes[24] == 4 && image.bytes[25] == 3)  // bit depth 4, palette
            #expect(image.bytes.count <= 2000)
            #expect(decoded == Self.picture(renderer, seed: 9).rgba)
        }
    }

    @Test("the plain render draws the text undistorted")
    func plain() throws {
        let renderer = try Self.renderer()
        let challenge = Challenge(text: "K7PW", answer: "K7PW", kind: .code)
        let image = renderer.renderPlain(challenge).rgba
        #expect(image.width == 160)
        #expect(image.pixels.contains(0))
    }
}
