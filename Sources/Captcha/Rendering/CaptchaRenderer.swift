import Foundation
import Raster

/// Draws challenges. Everything is drawn as ink coverage into one mask (glyphs
/// and curves through one smooth warp, then clutter), and the result is a
/// palette picture of 8 steps between background and ink: one
/// luminance-contrasted colour pair, a 4-bit PNG of about 1.5 KB. (16 steps
/// looked no better and made files a quarter larger.)
///
/// What it does against solvers, and why a person still reads it:
/// - glyphs crowd and overlap, so columns of empty space cannot separate them;
/// - each glyph has its own face, rotation, scale and shear, so no template fits;
/// - one smooth warp bends the whole line, glyphs and curves together;
/// - curves as thick as the glyph strokes cross every glyph in the same ink, so
///   removing them by width or colour removes the glyphs too;
/// - clutter (dots, short strokes, faint small decoy glyphs) in the same ink but
///   lighter, which a person sees through and a thresholding step cannot drop
///   without losing anti-aliased glyph edges.
public struct CaptchaRenderer: Sendable {
    public let options: CaptchaOptions
    /// Makes challenges for these options.
    public let challenges: ChallengeGenerator
    let faces: [FontFace]
    let backgrounds: [Image]
    /// Characters for the faint decoy glyphs.
    let decoyAlphabet: [Character]

    /// How many pictures of a `useImgBg` folder are loaded.
    public static let maximumBackgrounds = 64

    /// Checks the options, loads the faces and checks that each has a glyph for
    /// every character the challenges can use.
    public init(options: CaptchaOptions, fonts: FontLibrary) throws(CaptchaError) {
        let options = try options.validated()
        self.options = options
        challenges = ChallengeGenerator(options: options)
        decoyAlphabet = options.math ? Array("0123456789") : challenges.alphabet
        var faces: [FontFace]
        if options.useZh {
            faces = try options.fontttf.isEmpty ? [fonts.cjkFace()] : options.fontttf.map { path throws(CaptchaError) in try fonts.face(at: path) }
        } else {
            faces = try options.fontttf.isEmpty ? fonts.faces : options.fontttf.map { path throws(CaptchaError) in try fonts.face(at: path) }
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

        // Text and curves bend through one warp; clutter comes after, unbent.
        let warp = makeWarp(using: &random)
        let band = drawGlyphs(challenge, into: &ink, warp: warp, using: &random)
        if options.useCurve { drawCurves(into: &ink, band: band, strokeWidth: strokeWidth, warp: warp, using: &random) }
        if options.useNoise {
            drawDecoys(into: &ink, challenge: challenge, using: &random)
            drawClutter(into: &ink, using: &random)
        }

        let background = options.bg
        if !backgrounds.isEmpty, let picture = random.pick(backgrounds) {
            return .rgba(composite(ink, over: picture, using: &random))
        }
        let inkColor = InkColor.pick(against: background, using: &random)
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
        for scalar in challenge.text.unicodeScalars {
            guard let face = random.pick(faces), let glyph = try? face.glyph(for: scalar, pixelSize: size) else { continue }
            // Hanzi are dense and math symbols small: both get gentler rotation and shear.
            let bend = challenge.kind == .code ? 1.0 : 0.5
            placed.append(Placed(
                glyph: glyph, scale: random.uniform(0.88...1.12),
                rotation: random.uniform(-0.3...0.3) * bend, shear: random.uniform(-0.26...0.26) * bend))
        }
        guard !placed.isEmpty else { return (height * 0.3, height * 0.7) }
        // Centre-to-centre steps shorter than the glyphs' half-widths: they overlap.
        func inkWidth(_ p: Placed) -> Double { Double(max(p.glyph.bitmap.width, size / 3)) * p.scale }
        // Codes overlap (no gap to segment at); hanzi and math symbols only touch,
        // since overlapping them costs people more than it costs solvers.
        let crowdingRange: ClosedRange<Double>
        switch challenge.kind {
        case .code: crowdingRange = 0.84...0.95
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
            let centreY = height / 2 + random.uniform(-0.07...0.07) * height
            let transform = AffineMap.translation(-cx, -cy)
                .concatenating(.scale(p.scale * fit, p.scale * fit))
                .concatenating(.shear(x: p.shear))
                .concatenating(.rotation(p.rotation))
                .concatenating(.translation(cx, cy))
            ink.draw(p.glyph, at: Point(centreX - cx, centreY - cy), transform: transform, warp: warp)
            top = min(top, centreY - bh * p.scale * fit / 2)
            bottom = max(bottom, centreY + bh * p.scale * fit / 2)
            if i < steps.count { centreX += steps[i] * fit }
        }
        return (max(0, top), min(height, bottom))
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
        let dots = width * height / 96
        ink.pixels.withUnsafeMutableBufferPointer { m in
            for _ in 0..<dots {
                let x = Int.random(in: 0..<width, using: &random), y = Int.random(in: 0..<height, using: &random)
                let value = UInt8.random(in: 100...220, using: &random)
                // A dot of one pixel, or two side by side.
                if value > m[y * width + x] { m[y * width + x] = value }
                if random.next() & 1 == 0, x + 1 < width, value > m[y * width + x + 1] { m[y * width + x + 1] = value }
            }
        }
        let strokes = max(4, options.glyphCount * 2)
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
        let rowAmplitude = random.uniform(1.2...2.4), rowPeriod = height * random.uniform(0.9...1.6)
        let rowPhase = random.uniform(0...(2 * .pi))
        let columnAmplitude = random.uniform(2.0...3.4), columnPeriod = width * random.uniform(0.35...0.6)
        let columnPhase = random.uniform(0...(2 * .pi)), ripple = random.uniform(0.4...1.0)
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
        let inkColor = InkColor.pick(against: reference, using: &random)
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
