import Foundation
import Raster

/// Draws challenges in a `CaptchaStyle`. Everything is drawn as ink coverage
/// into one mask (glyphs, fragments and curves through one smooth warp, each
/// glyph also through its own; then cuts, texture and clutter), and the result
/// is a palette picture of 8 steps between background and ink: one
/// luminance-contrasted colour pair, a 4-bit PNG of about 1.5 KB. (16 steps
/// looked no better and made files a quarter larger.)
///
/// What it does against solvers, and what it costs people, is measured in
/// docs/captcha-strength.md; in short:
/// - glyphs crowd and overlap, so columns of empty space cannot separate them;
/// - each glyph has its own face, rotation, scale and shear, so no template fits;
/// - curves as thick as the glyph strokes cross every glyph in the same ink, so
///   removing them by width or colour removes the glyphs too;
/// - background-coloured cuts break the strokes (what moves ddddocr most);
/// - cut-glyph fragments, outlined glyphs and same-ink texture (behind a halo,
///   so the glyphs keep their contrast) where the style asks for them;
/// - clutter (dots, short strokes, faint small decoy glyphs) in the same ink but
///   lighter, which a thresholding step cannot drop without losing glyph edges.
public struct CaptchaRenderer: Sendable {
    public let options: CaptchaOptions
    /// The drawing parameters: the public preset of `options.difficulty`, or a
    /// deployment's keyed style.
    public let style: CaptchaStyle
    /// Makes challenges for these options.
    public let challenges: ChallengeGenerator
    let faces: [FontFace]
    /// Characters for the glyph fragments.
    let fragmentAlphabet: [Unicode.Scalar]
    let backgrounds: [Image]
    /// Characters for the faint decoy glyphs.
    let decoyAlphabet: [Character]

    /// How many pictures of a `useImgBg` folder are loaded.
    public static let maximumBackgrounds = 64

    /// Checks the options, loads the faces and checks that each has a glyph for
    /// every character the challenges can use. `style` nil draws the public
    /// preset of `options.difficulty`; pass `CaptchaStyle.keyed(...)` for a
    /// deployment's own.
    public init(options: CaptchaOptions, fonts: FontLibrary, style: CaptchaStyle? = nil) throws(CaptchaError) {
        let options = try options.validated()
        let style = style ?? .preset(options.difficulty)
        self.options = options
        self.style = style
        challenges = ChallengeGenerator(options: options, extraLength: style.extraLength)
        decoyAlphabet = options.math ? Array("0123456789") : challenges.alphabet
        fragmentAlphabet = decoyAlphabet.compactMap(\.unicodeScalars.first)
        var faces: [FontFace]
        if options.useZh {
            faces = try options.fontttf.isEmpty ? [fonts.cjkFace()] : options.fontttf.map { path throws(CaptchaError) in try fonts.face(at: path) }
        } else if options.fontttf.isEmpty {
            // A keyed style draws from its own mix of the library's faces.
            let all = fonts.faces
            faces = style.faces.isEmpty || all.isEmpty ? all : style.faces.map { all[$0 % all.count] }
        } else {
            faces = try options.fontttf.map { path throws(CaptchaError) in try fonts.face(at: path) }
        }
        let alphabet: String
        if options.math {
            alphabet = "0123456789+-×=?"
        } else if options.useZh {
            alphabet = options.zhSet ?? CommonHanzi.characters
        } else {
            alphabet = options.codeSet
        }
        for face in faces {
            for scalar in alphabet.unicodeScalars where !scalar.properties.isWhitespace {
                guard face.hasGlyph(for: scalar) else {
                    throw .font("\(face.name) has no glyph for '\(scalar)' (U+\(String(scalar.value, radix: 16, uppercase: true)))")
                }
            }
        }
        self.faces = faces
        backgrounds = try options.useImgBg.map { folder throws(CaptchaError) in
            try Self.loadBackgrounds(folder, width: options.width, height: options.height)
        } ?? []
    }

    /// A picture of `challenge`, all of its randomness drawn from `random`.
    public func render(_ challenge: Challenge, using random: inout CaptchaRandom) -> CaptchaPicture {
        let width = options.width, height = options.height
        var ink = GrayImage(width: width, height: height)
        let size = options.fontSize
        // Curves as thick as glyph strokes; hanzi strokes are thinner and denser.
        let strokeWidth = max(1.5, Double(size) * (challenge.kind == .chinese ? 0.065 : 0.1))

        // Text, fragments and curves bend through one warp (each glyph also
        // through its own); texture and clutter come after, unbent.
        let warp = makeWarp(using: &random)
        let band = drawGlyphs(challenge, into: &ink, warp: warp, using: &random)
        if options.useCurve { drawCurves(into: &ink, band: band, strokeWidth: strokeWidth, warp: warp, using: &random) }
        if style.cuts > 0 { cut(&ink, band: band, warp: warp, using: &random) }
        if style.texture > 0 { drawTexture(behind: &ink, using: &random) }
        if options.useNoise {
            drawDecoys(into: &ink, challenge: challenge, using: &random)
            drawClutter(into: &ink, using: &random)
        }

        let background = options.bg
        if !backgrounds.isEmpty, let picture = random.pick(backgrounds) {
            return .rgba(composite(ink, over: picture, using: &random))
        }
        let inkColor = InkColor.pick(against: background, hues: style.hues, using: &random)
        // Eight levels always make a valid ramp.
        let picture = try? IndexedImage(coverage: ink, background: background, ink: inkColor, levels: 8)
        return picture.map(CaptchaPicture.indexed) ?? .rgba(Image(width: width, height: height, fill: background))
    }

    /// The text without any distortion, for measuring what OCR reads unhindered.
    public func renderPlain(_ challenge: Challenge) -> CaptchaPicture {
        var image = Image(width: options.width, height: options.height, fill: .white)
        guard let face = faces.first else { return .rgba(image) }
        let size = options.fontSize
        let width = (try? face.measure(challenge.text, pixelSize: size).width) ?? 0
        let x = max(2, (Double(options.width) - width) / 2).rounded()
        _ = try? image.drawText(challenge.text, font: face, pixelSize: size,
                                at: Point(x, (Double(options.height) / 2 + Double(size) * 0.36).rounded()), color: .black)
        return .rgba(image)
    }

    // MARK: Glyphs

    /// Draws the challenge's glyphs crowded along the middle; returns the vertical
    /// band they occupy (top, bottom) for the curves.
    private func drawGlyphs(
        _ challenge: Challenge, into ink: inout GrayImage, warp: SeparableWarp, using random: inout CaptchaRandom
    ) -> (Double, Double) {
        let size = options.fontSize
        let width = Double(options.width), height = Double(options.height)
        struct Placed {
            var glyph: Glyph
            var scale: Double
            var rotation: Double
            var shear: Double
        }
        var placed: [Placed] = []
        // Hanzi are dense and math symbols small: both get gentler rotation and
        // shear, and stay solid.
        let bend = challenge.kind == .code ? 1.0 : 0.5
        let hollowShare = challenge.kind == .code ? style.hollowShare : 0
        for scalar in challenge.text.unicodeScalars {
            guard let face = random.pick(faces), var glyph = try? face.glyph(for: scalar, pixelSize: size) else { continue }
            if random.uniform(0...1) < hollowShare { glyph = glyph.outlined() }
            placed.append(Placed(
                glyph: glyph, scale: random.uniform((1 - style.sizeSpread)...(1 + style.sizeSpread)),
                rotation: random.uniform(-1...1) * style.rotation * bend,
                shear: random.uniform(-1...1) * style.shear * bend))
        }
        guard !placed.isEmpty else { return (height * 0.3, height * 0.7) }
        // Centre-to-centre steps shorter than the glyphs' half-widths: they overlap.
        func inkWidth(_ p: Placed) -> Double { Double(max(p.glyph.bitmap.width, size / 3)) * p.scale }
        // Codes overlap (no gap to segment at); hanzi and math symbols only touch,
        // since overlapping them costs people more than it costs solvers.
        let crowdingRange: ClosedRange<Double>
        switch challenge.kind {
        case .code: crowdingRange = style.crowding
        case .chinese: crowdingRange = 0.95...1.02
        case .math: crowdingRange = 0.98...1.08
        }
        var steps: [Double] = []
        for i in 1..<max(1, placed.count) where placed.count > 1 {
            let crowding = random.uniform(crowdingRange)
            steps.append((inkWidth(placed[i - 1]) + inkWidth(placed[i])) / 2 * crowding)
        }
        let span = steps.reduce(0, +) + (inkWidth(placed[0]) + inkWidth(placed[placed.count - 1])) / 2
        // Scale the line to about four fifths of the width, as far as the height allows.
        let tallest = placed.map { Double($0.glyph.bitmap.height) * $0.scale }.max() ?? Double(size)
        let fit = min(width * random.uniform(0.74...0.84) / span, height * 0.78 / tallest, 1.4)
        var centreX = (width - span * fit) / 2 + inkWidth(placed[0]) * fit / 2 + random.uniform(-3...3)
        var top = height, bottom = 0.0
        for (i, p) in placed.enumerated() {
            let bw = Double(p.glyph.bitmap.width), bh = Double(p.glyph.bitmap.height)
            // Glyph-local centre of the bitmap, relative to the pen position.
            let cx = Double(p.glyph.left) + bw / 2, cy = Double(-p.glyph.top) + bh / 2
            let centreY = height / 2 + random.uniform(-1...1) * style.lift * height
            let transform = AffineMap.translation(-cx, -cy)
                .concatenating(.scale(p.scale * fit, p.scale * fit))
                .concatenating(.shear(x: p.shear))
                .concatenating(.rotation(p.rotation))
                .concatenating(.translation(cx, cy))
            ink.draw(p.glyph, at: Point(centreX - cx, centreY - cy), transform: transform,
                     warp: localWarp(around: warp, using: &random))
            top = min(top, centreY - bh * p.scale * fit / 2)
            bottom = max(bottom, centreY + bh * p.scale * fit / 2)
            if i < steps.count { centreX += steps[i] * fit }
        }
        let lineLeft = (width - span * fit) / 2, lineRight = lineLeft + span * fit
        if challenge.kind == .code {
            drawFragments(into: &ink, line: lineLeft...max(lineLeft + 1, lineRight), scale: fit, warp: warp, using: &random)
        }
        return (max(0, top), min(height, bottom))
    }

    /// The line's warp plus a short ripple of the glyph's own, so that no two
    /// glyphs bend alike (a local warp at the price of two small tables).
    private func localWarp(around warp: SeparableWarp, using random: inout CaptchaRandom) -> SeparableWarp {
        guard style.localWarp > 0 else { return warp }
        let size = Double(options.fontSize)
        let rows = Self.sineWave(count: warp.rowShift.count, amplitude: style.localWarp * random.uniform(0.5...1),
                                 period: size * style.localPeriod * random.uniform(0.5...0.9), phase: random.uniform(0...(2 * .pi)))
        let columns = Self.sineWave(count: warp.columnShift.count, amplitude: style.localWarp * random.uniform(0.5...1),
                                    period: size * style.localPeriod * random.uniform(0.6...1.1), phase: random.uniform(0...(2 * .pi)))
        // Amplitudes of a few pixels are always valid.
        return (try? SeparableWarp(rowShift: zip(warp.rowShift, rows).map { $0 + $1 },
                                   columnShift: zip(warp.columnShift, columns).map { $0 + $1 })) ?? warp
    }

    /// Parts of glyphs of the same set, size and ink, cut by a straight line,
    /// across the text a little above or below it, and (hard) at the ends of
    /// the line, where a solver must tell a cut glyph from a whole one.
    private func drawFragments(
        into ink: inout GrayImage, line: ClosedRange<Double>, scale: Double, warp: SeparableWarp,
        using random: inout CaptchaRandom
    ) {
        let count = Int.random(in: style.fragments, using: &random)
        // Cut glyphs at the ends first (when the style has them), then the others.
        let ends = style.endFragments ? 2 : 0
        guard count + ends > 0 else { return }
        let size = options.fontSize
        let height = Double(options.height)
        for k in 0..<(count + ends) {
            guard let scalar = random.pick(fragmentAlphabet), let face = random.pick(faces),
                  let whole = try? face.glyph(for: scalar, pixelSize: size)
            else { continue }
            var glyph = whole.cut(keeping: random.uniform(style.fragmentKeep), angle: random.uniform(0...(2 * .pi)))
            if random.uniform(0...1) < style.hollowShare { glyph = glyph.outlined() }
            let bw = Double(glyph.bitmap.width), bh = Double(glyph.bitmap.height)
            let cx = Double(glyph.left) + bw / 2, cy = Double(-glyph.top) + bh / 2
            let reach = Double(size) * scale
            var x: Double, y: Double
            switch k {
            case 0 where ends > 0:
                x = line.lowerBound - random.uniform(0.1...0.3) * reach
                y = height / 2 + random.uniform(-0.08...0.08) * height
            case 1 where ends > 0:
                x = line.upperBound + random.uniform(0.1...0.3) * reach
                y = height / 2 + random.uniform(-0.08...0.08) * height
            default:
                x = random.uniform(line)
                y = height / 2 + (random.next() & 1 == 0 ? -1 : 1) * random.uniform(0.3...0.4) * height
            }
            // Fragments off the line are a little smaller than the text.
            let shrink = k < ends ? random.uniform(0.85...1.1) : random.uniform(0.7...0.85)
            x = min(max(x, reach * 0.3), Double(options.width) - reach * 0.3)
            let transform = AffineMap.translation(-cx, -cy)
                .concatenating(.scale(scale * shrink, scale * shrink * random.uniform(0.9...1.1)))
                .concatenating(.rotation(random.uniform(-1...1) * style.rotation))
                .concatenating(.translation(cx, cy))
            ink.draw(glyph, at: Point(x - cx, y - cy), transform: transform, warp: warp)
        }
    }

    /// Thin background-coloured waves across the text band, erasing what they cross.
    private func cut(_ ink: inout GrayImage, band: (Double, Double), warp: SeparableWarp, using random: inout CaptchaRandom) {
        let width = Double(options.width)
        var eraser = GrayImage(width: ink.width, height: ink.height)
        let (top, bottom) = band.1 - band.0 > 2 ? band : (Double(options.height) * 0.3, Double(options.height) * 0.7)
        for _ in 0..<style.cuts {
            let baseline = random.uniform((top + (bottom - top) * 0.2)...(bottom - (bottom - top) * 0.2))
            let wave = Curves.sine(fromX: 0, toX: width, baseline: baseline, amplitude: (bottom - top) * random.uniform(0.1...0.35),
                                   period: width * random.uniform(0.4...1.0), phase: random.uniform(0...(2 * .pi)))
            eraser.strokeGraph(wave, width: random.uniform(1.6...2.4))
        }
        ink.pixels.withUnsafeMutableBufferPointer { m in
            eraser.pixels.withUnsafeBufferPointer { e in
                for i in 0..<m.count where e[i] != 0 {
                    m[i] = UInt8((Int(m[i]) * (255 - Int(e[i])) + 127) / 255)
                }
            }
        }
    }

    /// Same-ink strokes over the whole picture behind the text, which keeps a
    /// halo of background two pixels wide: the glyphs keep their full contrast
    /// with what lies right behind them, and a threshold keeps the texture.
    private func drawTexture(behind ink: inout GrayImage, using random: inout CaptchaRandom) {
        let width = Double(ink.width), height = Double(ink.height)
        var texture = GrayImage(width: ink.width, height: ink.height)
        let strokes = max(1, Int(style.texture * width * height / 1000))
        for _ in 0..<strokes {
            let start = Point(random.uniform(0...width), random.uniform(0...height))
            let angle = random.uniform(0...(2 * .pi)), length = random.uniform(4...12)
            let bend = random.uniform(-0.6...0.6)
            let middle = Point(start.x + cos(angle + bend) * length / 2, start.y + sin(angle + bend) * length / 2)
            let end = Point(middle.x + cos(angle - bend) * length / 2, middle.y + sin(angle - bend) * length / 2)
            texture.stroke([start, middle, end], width: random.uniform(1.0...1.5))
        }
        let halo = ink.dilated(radius: 2)
        ink.pixels.withUnsafeMutableBufferPointer { m in
            texture.pixels.withUnsafeBufferPointer { t in
                halo.pixels.withUnsafeBufferPointer { h in
                    for i in 0..<m.count {
                        let behind = min(t[i], 255 &- h[i])
                        if behind > m[i] { m[i] = behind }
                    }
                }
            }
        }
    }

    // MARK: Curves and clutter

    /// A thick cubic curve and a thinner wave, both through the text band.
    private func drawCurves(
        into ink: inout GrayImage, band: (Double, Double), strokeWidth: Double, warp: SeparableWarp,
        using random: inout CaptchaRandom
    ) {
        let width = Double(options.width)
        let (top, bottom) = band.1 - band.0 > 2 ? band : (Double(options.height) * 0.3, Double(options.height) * 0.7)
        func inBand(_ margin: Double = 0.15) -> Double {
            let span = bottom - top
            return random.uniform((top + span * margin)...(bottom - span * margin))
        }
        let start = Point(random.uniform(0...(width * 0.12)), inBand())
        let end = Point(random.uniform((width * 0.88)...width), inBand())
        let c1 = Point(random.uniform((width * 0.2)...(width * 0.45)), inBand(-0.2))
        let c2 = Point(random.uniform((width * 0.55)...(width * 0.8)), inBand(-0.2))
        // Control points in x order keep the curve a function of x: the cheap graph stroke applies.
        ink.strokeGraph(Curves.cubic(start, c1, c2, end).map(warp.forward), width: strokeWidth * random.uniform(0.8...1.0))
        let amplitude = (bottom - top) * random.uniform(0.18...0.3)
        let period = width * random.uniform(0.45...0.9)
        let from = random.uniform(0...(width * 0.3)), to = random.uniform((width * 0.7)...width)
        ink.strokeGraph(
            Curves.sine(fromX: from, toX: to, baseline: (top + bottom) / 2, amplitude: amplitude, period: period,
                        phase: random.uniform(0...(2 * .pi))).map(warp.forward),
            width: strokeWidth * random.uniform(0.45...0.6))
    }

    /// Lighter ink dots and short strokes over the whole picture.
    private func drawClutter(into ink: inout GrayImage, using random: inout CaptchaRandom) {
        let width = ink.width, height = ink.height
        let dots = Int(Double(width * height) / 96 * style.clutter)
        ink.pixels.withUnsafeMutableBufferPointer { m in
            for _ in 0..<dots {
                let x = Int.random(in: 0..<width, using: &random), y = Int.random(in: 0..<height, using: &random)
                let value = UInt8.random(in: 100...220, using: &random)
                // A dot of one pixel, or two side by side.
                if value > m[y * width + x] { m[y * width + x] = value }
                if random.next() & 1 == 0, x + 1 < width, value > m[y * width + x + 1] { m[y * width + x + 1] = value }
            }
        }
        let strokes = max(2, Int(Double(options.glyphCount * 2) * style.clutter))
        for _ in 0..<strokes {
            let start = Point(random.uniform(0...Double(width)), random.uniform(0...Double(height)))
            let angle = random.uniform(0...(2 * .pi)), length = random.uniform(3...9)
            let end = Point(start.x + cos(angle) * length, start.y + sin(angle) * length)
            ink.stroke([start, end], width: random.uniform(1.0...1.8), intensity: UInt8.random(in: 120...200, using: &random))
        }
    }

    /// Two or three small, faint glyphs from the same set behind the text.
    private func drawDecoys(into ink: inout GrayImage, challenge: Challenge, using random: inout CaptchaRandom) {
        let alphabet = decoyAlphabet
        let size = max(8, options.fontSize * 6 / 10)
        for _ in 0..<Int.random(in: 2...3, using: &random) {
            guard let character = alphabet.randomElement(using: &random), let scalar = character.unicodeScalars.first,
                  let face = random.pick(faces), let glyph = try? face.glyph(for: scalar, pixelSize: size)
            else { continue }
            let origin = Point(random.uniform(0...Double(max(0, options.width - size / 2))),
                               random.uniform(Double(min(size, options.height))...Double(options.height)))
            // Upright at whole pixels: decoys are clutter, drawn by the fast copy path.
            ink.draw(glyph, at: Point(origin.x.rounded(), origin.y.rounded()),
                     intensity: UInt8.random(in: 70...105, using: &random))
        }
    }

    // MARK: Warp and background

    /// A smooth two-way wave for the whole line of text and its curves.
    private func makeWarp(using random: inout CaptchaRandom) -> SeparableWarp {
        let width = Double(options.width), height = Double(options.height)
        let rowAmplitude = random.uniform(1.2...2.4) * style.wave, rowPeriod = height * random.uniform(0.9...1.6)
        let rowPhase = random.uniform(0...(2 * .pi))
        let columnAmplitude = random.uniform(2.0...3.4) * style.wave, columnPeriod = width * random.uniform(0.35...0.6)
        let columnPhase = random.uniform(0...(2 * .pi)), ripple = random.uniform(0.4...1.0) * style.wave
        let rows = Self.sineWave(count: options.height, amplitude: rowAmplitude, period: rowPeriod, phase: rowPhase)
        let wave = Self.sineWave(count: options.width, amplitude: columnAmplitude, period: columnPeriod, phase: columnPhase)
        let ripples = Self.sineWave(count: options.width, amplitude: ripple, period: columnPeriod / 2.7, phase: rowPhase)
        let columns = zip(wave, ripples).map { $0 + $1 }
        // Amplitudes of a few pixels are always valid.
        return (try? SeparableWarp(rowShift: rows, columnShift: columns))
            ?? .identity(width: options.width, height: options.height)
    }

    /// The ink over a veiled background picture: the picture is pulled towards
    /// the background colour so that no part of it comes close to the ink.
    private func composite(_ ink: GrayImage, over picture: Image, using random: inout CaptchaRandom) -> Image {
        let background = options.bg
        var veiled = picture
        veiled.fill(Rect(x: 0, y: 0, width: picture.width, height: picture.height),
                    with: RGBA(background.r, background.g, background.b, 170))
        // Contrast is checked against the veiled picture's extreme, not its average.
        let luminances = stride(from: 0, to: veiled.pixels.count, by: 4).map { i in
            RGBA(veiled.pixels[i], veiled.pixels[i + 1], veiled.pixels[i + 2]).relativeLuminance
        }
        let darkInk = background.relativeLuminance > 0.18
        let worst = darkInk ? (luminances.min() ?? 1) : (luminances.max() ?? 0)
        let reference = RGBA(gray: worst)
        let inkColor = InkColor.pick(against: reference, hues: style.hues, using: &random)
        veiled.fill(mask: ink, at: 0, 0, color: inkColor)
        return veiled
    }

    /// amplitude x sin(2π k / period + phase) for k in 0..<count, by the angle
    /// addition recurrence: two sines per table instead of one per entry.
    static func sineWave(count: Int, amplitude: Double, period: Double, phase: Double) -> [Double] {
        let step = 2 * Double.pi / period
        let cosStep = cos(step), sinStep = sin(step)
        var sine = sin(phase), cosine = cos(phase)
        return (0..<count).map { _ in
            defer {
                (sine, cosine) = (sine * cosStep + cosine * sinStep, cosine * cosStep - sine * sinStep)
            }
            return amplitude * sine
        }
    }

    static func loadBackgrounds(_ folder: String, width: Int, height: Int) throws(CaptchaError) -> [Image] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        var images: [Image] = []
        let limits = DecodeLimits(maxWidth: 8000, maxHeight: 8000, maxPixels: 24_000_000)
        for name in names where images.count < maximumBackgrounds {
            let path = (folder as NSString).appendingPathComponent(name)
            guard let image = try? Image.read(contentsOf: path, limits: limits, maxFileSize: 32 << 20),
                  let fitted = try? image.thumbnail(width: width, height: height)
            else { continue }
            images.append(fitted.flattened(on: .white))
        }
        guard !images.isEmpty else { throw .invalidOption("useImgBg: no readable PNG, JPEG or BMP picture in \(folder)") }
        return images
    }
}

extension RGBA {
    /// The sRGB gray whose relative luminance is `luminance` (0...1).
    init(gray luminance: Double) {
        let l = min(max(luminance, 0), 1)
        let encoded = l <= 0.0031308 ? l * 12.92 : 1.055 * pow(l, 1 / 2.4) - 0.055
        let v = UInt8((encoded * 255).rounded())
        self.init(v, v, v)
    }
}
