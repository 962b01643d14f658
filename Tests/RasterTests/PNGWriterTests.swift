import Foundation
@testable import Raster
import Testing
import TestSupport

/// The picture writer (`PNG.encode(_:compression:)`), its run-length deflate and
/// strip joins, and the direct reader, each checked against libpng.
@Suite("PNG writer and direct reader")
struct PNGWriterTests {
    /// Pictures that exercise each layout and filter: a photo, alpha, gray,
    /// flat areas with long runs, noise, and odd sizes.
    static let pictures: [(name: String, image: Image)] = {
        var alpha = Image.photoLike(width: 97, height: 61, seed: 3)
        for i in stride(from: 3, to: alpha.pixels.count, by: 4) { alpha.pixels[i] = UInt8((i / 4) % 251) }
        var gray = Image.photoLike(width: 64, height: 33, seed: 5)
        for i in stride(from: 0, to: gray.pixels.count, by: 4) {
            gray.pixels[i + 1] = gray.pixels[i]; gray.pixels[i + 2] = gray.pixels[i]
        }
        var flat = Image(width: 300, height: 41)
        for y in 0..<41 { for x in 0..<300 { flat[x, y] = x < 150 ? RGBA(255, 255, 255) : RGBA(10, 20, 200) } }
        var noise = Image(width: 120, height: 50)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in noise.pixels.indices where i % 4 != 3 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            noise.pixels[i] = UInt8(truncatingIfNeeded: state >> 56)
        }
        for i in stride(from: 3, to: noise.pixels.count, by: 4) { noise.pixels[i] = 255 }
        return [
            ("photo", Image.photoLike(width: 203, height: 157)), ("alpha", alpha), ("gray", gray),
            ("flat", flat), ("noise", noise), ("one pixel", Image.photoLike(width: 1, height: 1)),
            ("one column", Image.photoLike(width: 1, height: 37)), ("one row", Image.photoLike(width: 333, height: 1)),
        ]
    }()

    @Test("every level writes the exact pixels, read back by libpng and by the direct reader",
          arguments: PNG.Compression.allCases)
    func roundTrips(_ compression: PNG.Compression) throws {
        for (name, image) in Self.pictures {
            let png = try PNG.encode(image, compression: compression)
            let byLibpng = try PNG.decode(png, limits: .default, direct: false)
            #expect(byLibpng.pixels == image.pixels, "\(name), \(compression): libpng reads other pixels")
            #expect(try PNG.decode(png).pixels == image.pixels, "\(name), \(compression): the direct reader reads other pixels")
        }
    }

    @Test("strips join into one valid stream at every count from 1 to 8, odd heights included")
    func stripJoins() throws {
        for height in [1, 7, 37, 101] {
            let image = Image.photoLike(width: 45, height: height, seed: UInt64(height))
            var sizes: [Int] = []
            for strips in 1...8 {
                for compression in [PNG.Compression.fast, .default] {
                    let png = try PNG.encode(image, compression: compression, strips: strips)
                    let decoded = try PNG.decode(png, limits: .default, direct: false)
                    #expect(decoded.pixels == image.pixels, "height \(height), \(strips) strips, \(compression)")
                    if compression == .fast { sizes.append(png.count) }
                }
            }
            // A strip costs a few bytes of block header and sync marker, no more.
            #expect(sizes.max()! - sizes.min()! <= 8 * 140, "height \(height): \(sizes)")
        }
    }

    @Test("best is never larger than libpng's level 9 with all filters")
    func bestIsNoLarger() throws {
        for (name, image) in Self.pictures {
            let best = try PNG.encode(image, compression: .best)
            let libpng = try PNG.encode(image, options: PNG.EncodeOptions(compressionLevel: 9, filter: .all))
            #expect(best.count <= libpng.count, "\(name): \(best.count) > \(libpng.count)")
        }
    }

    @Test("fast compresses a photo and flat areas, and falls back to stored blocks on noise")
    func fastCompresses() throws {
        for (name, image) in Self.pictures where ["photo", "flat", "noise"].contains(name) {
            let raw = image.width * image.height * (image.isOpaque ? 3 : 4)
            let fast = try PNG.encode(image, compression: .fast)
            let zlib1 = try PNG.encode(image, options: PNG.EncodeOptions(compressionLevel: 1, filter: .all))
            switch name {
            case "flat": #expect(fast.count * 50 < raw, "\(name): \(fast.count) of \(raw)")
            case "noise": #expect(fast.count <= raw + raw / 100 + 200, "\(name): \(fast.count) of \(raw)")
            default: #expect(Double(fast.count) <= Double(zlib1.count) * 1.10, "\(name): \(fast.count) against zlib level 1's \(zlib1.count)")
            }
        }
    }

    @Test("run-length deflate: runs longer than a match, stored fallback, empty pieces, pieces joined")
    func runLengthDeflateEdges() throws {
        var inputs: [[UInt8]] = [[0], [7, 7, 7, 7], [UInt8](repeating: 9, count: 1000), Array(0...255)]
        inputs.append((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) })
        inputs.append([UInt8](repeating: 0, count: 600_000) + [1, 2, 3])
        for input in inputs {
            // One piece, then the same bytes as three pieces joined.
            for cuts in [[input.count], [input.count / 3, 2 * input.count / 3, input.count]] {
                var stream: [UInt8] = []
                var start = 0
                for (k, end) in cuts.enumerated() {
                    var encoder = RunLengthDeflate()
                    input.withUnsafeBufferPointer { encoder.append(UnsafeBufferPointer(rebasing: $0[start..<end])) }
                    stream += encoder.finish(final: k == cuts.count - 1)
                    start = end
                }
                let adler = input.withUnsafeBufferPointer { Libdeflate.adler32($0) }
                let zlib = [0x78, 0x01] + stream + PNGChunks.bigEndian(adler)
                var out = [UInt8](repeating: 0, count: input.count)
                let ok = zlib.withUnsafeBufferPointer { z in out.withUnsafeMutableBufferPointer { Libdeflate.zlibDecompress(z, into: $0) } }
                #expect(ok && out == input, "\(input.count) bytes in \(cuts.count) pieces")
                #expect(stream.count <= RunLengthDeflate.bound(input.count) + 16 * cuts.count)
            }
        }
    }

    @Test("the eight-bytes-at-a-time run finder parses exactly as zlib's Z_RLE does, byte by byte")
    func runFinderMatchesTheByteParse() {
        // What the finder must give: after each literal, a run of 3...258 more of that byte.
        func reference(_ input: [UInt8]) -> [UInt32] {
            var runs: [UInt32] = []
            var i = 0
            while i < input.count {
                let byte = input[i]
                i += 1
                guard i + 2 < input.count, input[i] == byte, input[i + 1] == byte, input[i + 2] == byte else { continue }
                var length = 3
                while i + length < input.count, length < 258, input[i + length] == byte { length += 1 }
                runs.append(UInt32(i) << 9 | UInt32(length))
                i += length
            }
            return runs
        }
        var inputs: [[UInt8]] = [[], [5], [5, 5, 5], [5, 5, 5, 5], [1, 5, 5, 5, 5], [UInt8](repeating: 3, count: 600)]
        // Runs of every length from 1 to 12 at every offset within a word, and at the very end.
        for length in 1...12 {
            for offset in 0..<10 {
                inputs.append(Array(0..<UInt8(offset)) + [UInt8](repeating: 200, count: length) + [9, 8, 7, 6, 5, 4, 3, 2, 1])
                inputs.append(Array(0..<UInt8(offset)) + [UInt8](repeating: 200, count: length))
            }
        }
        var state: UInt32 = 12_345
        for size in [17, 100, 1000, 70_000] {
            // Few distinct bytes: runs of every length start and end everywhere.
            inputs.append((0..<size).map { _ in
                state = state &* 1_103_515_245 &+ 12_345
                return UInt8(truncatingIfNeeded: state >> 16) & (state >> 29 == 0 ? 0x3F : 0x01)
            })
        }
        for input in inputs {
            var runs: [UInt32] = []
            input.withUnsafeBufferPointer { RunLengthDeflate.findRuns($0, into: &runs) }
            #expect(runs == reference(input), "\(input.count) bytes: \(input.prefix(24))")
        }
    }

    @Test("extra chunks go right after IHDR at every level; a critical or malformed type is refused")
    func extraChunks() throws {
        let image = Image.photoLike(width: 40, height: 30)
        let data = Array("upare".utf8) + [0, 1, 2, 255]
        for compression in PNG.Compression.allCases {
            let png = try PNG.encode(image, compression: compression, chunks: [("upDS", data)])
            #expect(PNG.chunk("upDS", in: png) == data, "\(compression)")
            #expect(Array(png[37..<41]) == Array("upDS".utf8), "\(compression): not right after IHDR")
            #expect(try PNG.decode(png, limits: .default, direct: false).pixels == image.pixels)
        }
        for bad in ["IDAT", "upD", "up-S"] {
            #expect(throws: RasterError.self) { try PNG.encode(image, compression: .fast, chunks: [(bad, data)]) }
        }
    }

    @Test("RasterFile.read: regular files, a FIFO, empty files, and the size cap before reading")
    func fileRead() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("upare-read-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let file = folder.appendingPathComponent("a.bin").path
        try RasterFile.write(bytes, to: file)
        #expect(try RasterFile.read(file, maxSize: bytes.count) == bytes)
        #expect(throws: RasterError.self) { try RasterFile.read(file, maxSize: bytes.count - 1) }
        let empty = folder.appendingPathComponent("empty").path
        try RasterFile.write([], to: empty)
        #expect(try RasterFile.read(empty, maxSize: 10) == [])
        #expect(throws: RasterError.self) { try RasterFile.read(folder.appendingPathComponent("missing").path, maxSize: 10) }

        // A FIFO has no size: it is read as it comes, and the cap still holds.
        let fifo = folder.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        for (count, cap, fits) in [(200_000, 200_000, true), (200_000, 199_999, false)] {
            let writer = Thread {
                let handle = FileHandle(forWritingAtPath: fifo)
                try? handle?.write(contentsOf: Data(bytes.prefix(count)))
                try? handle?.close()
            }
            writer.start()
            if fits {
                #expect(try RasterFile.read(fifo, maxSize: cap) == Array(bytes.prefix(count)))
            } else {
                #expect(throws: RasterError.self) { try RasterFile.read(fifo, maxSize: cap) }
            }
            while !writer.isFinished { usleep(1000) }
        }
    }

    @Test("Adler-32 of joined pieces is the checksum of the whole")
    func adlerCombines() {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 31 + $0 >> 7) }
        let whole = bytes.withUnsafeBufferPointer { Libdeflate.adler32($0) }
        for cut in [0, 1, 65_520, 65_521, 99_999, 100_000] {
            let (a, b) = bytes.withUnsafeBufferPointer {
                (Libdeflate.adler32(UnsafeBufferPointer(rebasing: $0[..<cut])), Libdeflate.adler32(UnsafeBufferPointer(rebasing: $0[cut...])))
            }
            #expect(Adler32.combine(a, b, length: bytes.count - cut) == whole, "cut at \(cut)")
        }
    }
}

/// Pillow, a second decoder beside libpng, reads every level's output to the
/// same pixels. Its virtualenv comes from scripts/setup (as `make test` runs it).
@Suite("PNG writer read by Pillow", .enabled(if: PillowCheck.python != nil,
        "Pillow's virtualenv (.build/oauth-venv, made by scripts/setup) not found"))
struct PNGWriterPillowTests {
    @Test("Pillow reads every level's output to the written pixels")
    func pillowReads() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("upare-pillow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var count = 0
        for (name, image) in PNGWriterTests.pictures {
            for compression in PNG.Compression.allCases {
                for strips in [1, 3] {
                    let stem = "\(count)-\(name.replacingOccurrences(of: " ", with: "_"))-\(compression)-\(strips)"
                    try Data(try PNG.encode(image, compression: compression, strips: strips))
                        .write(to: folder.appendingPathComponent(stem + ".png"))
                    try Data(image.pixels).write(to: folder.appendingPathComponent(stem + ".rgba"))
                    count += 1
                }
            }
        }
        let script = """
            import glob, sys
            from PIL import Image
            bad = []
            for path in sorted(glob.glob(sys.argv[1] + "/*.png")):
                with Image.open(path) as picture:
                    picture.load()
                    pixels = picture.convert("RGBA").tobytes()
                if pixels != open(path[:-4] + ".rgba", "rb").read():
                    bad.append(path)
            print(len(glob.glob(sys.argv[1] + "/*.png")), "read;", "differ:", bad)
            sys.exit(1 if bad else 0)
            """
        let process = Process()
        process.executableURL = PillowCheck.python
        process.arguments = ["-c", script, folder.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.hasPrefix("\(count) read"), "\(text)")
    }
}

enum PillowCheck {
    static let python: URL? = {
        let url = PackagePaths.root.appendingPathComponent(".build/oauth-venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: url.path) else { return nil }
        let probe = Process()
        probe.executableURL = url
        probe.arguments = ["-c", "import PIL"]
        guard (try? probe.run()) != nil else { return nil }
        probe.waitUntilExit()
        return probe.terminationStatus == 0 ? url : nil
    }()
}
