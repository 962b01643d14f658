import Foundation
@testable import Raster
import Testing
import TestSupport

/// PngSuite: every valid file decodes to its expected RGBA, every x* file is refused.
@Suite("PngSuite", .enabled(if: TestData.hasPngSuite, "PngSuite not found at \(TestData.pngSuite.path); set UPARE_PNGSUITE"))
struct PNGSuiteTests {
    static var files: [String] {
        let folder = TestData.pngSuite.appendingPathComponent("png")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".png") }.map { String($0.dropLast(4)) }.sorted()
    }

    static var validFiles: [String] { files.filter { !$0.hasPrefix("x") } }
    static var invalidFiles: [String] { files.filter { $0.hasPrefix("x") } }

    /// Expected RGBA8: the `_to8` copy for 16-bit files where there is one.
    static func expected(_ name: String) throws -> [UInt8] {
        let folder = TestData.pngSuite.appendingPathComponent("json")
        var url = folder.appendingPathComponent(name + "_to8.json")
        if !FileManager.default.fileExists(atPath: url.path) { url = folder.appendingPathComponent(name + ".json") }
        let values = try JSONDecoder().decode([Int].self, from: Data(contentsOf: url))
        // A few 16-bit files have only 16-bit references: scale them to 8 bits.
        let sixteenBit = values.contains { $0 > 255 }
        return values.map { UInt8(sixteenBit ? ($0 * 255 + 32767) / 65535 : $0) }
    }

    @Test("the suite is present and complete")
    func suiteIsPresent() {
        #expect(Self.validFiles.count >= 140)
        #expect(Self.invalidFiles.count >= 14)
    }

    @Test("valid PNG decodes to the expected pixels", arguments: validFiles)
    func decodesValidFile(_ name: String) throws {
        let bytes = try TestData.bytes(TestData.pngSuite.appendingPathComponent("png/\(name).png"))
        let image = try PNG.decode(bytes)
        let expected = try Self.expected(name)
        #expect(image.pixels.count == expected.count)
        // 16-bit samples are scaled with rounding; the reference may have truncated.
        let tolerance = name.hasSuffix("16") ? 1 : 0
        var worst = 0
        for (a, b) in zip(image.pixels, expected) { worst = max(worst, abs(Int(a) - Int(b))) }
        #expect(worst <= tolerance, "\(name): off by up to \(worst)")
    }

    @Test("the direct reader gives libpng's pixels, or leaves the file to libpng", arguments: files)
    func directReaderMatchesLibpng(_ name: String) throws {
        let bytes = try TestData.bytes(TestData.pngSuite.appendingPathComponent("png/\(name).png"))
        let direct = try bytes.withUnsafeBufferPointer { try PNGDirectReader.decode($0, limits: .default) }
        guard let direct else { return }
        #expect(!name.hasPrefix("x"), "\(name): a corrupt file must be left to libpng")
        let libpng = try PNG.decode(bytes, limits: .default, direct: false)
        #expect(direct.width == libpng.width && direct.height == libpng.height && direct.pixels == libpng.pixels, "\(name)")
    }

    @Test("the direct reader takes the common 8-bit files")
    func directReaderCoverage() throws {
        let taken = try Self.validFiles.filter { name in
            let bytes = try TestData.bytes(TestData.pngSuite.appendingPathComponent("png/\(name).png"))
            return try bytes.withUnsafeBufferPointer { try PNGDirectReader.decode($0, limits: .default) } != nil
        }
        for name in ["basn0g08", "basn2c08", "basn4a08", "basn6a08", "f00n2c08", "f04n2c08", "bgan6a08"] {
            #expect(taken.contains(name), "\(name) went to libpng")
        }
        #expect(taken.count >= 20, "\(taken.count) files taken: \(taken)")
    }

    @Test("every valid file survives an encode at each level", arguments: validFiles)
    func writerRoundTrip(_ name: String) throws {
        let image = try PNG.decode(TestData.bytes(TestData.pngSuite.appendingPathComponent("png/\(name).png")))
        for compression in PNG.Compression.allCases {
            let again = try PNG.decode(PNG.encode(image, compression: compression), limits: .default, direct: false)
            #expect(again.pixels == image.pixels, "\(name), \(compression)")
        }
    }

    @Test("corrupt PNG is refused with a RasterError", arguments: invalidFiles)
    func refusesInvalidFile(_ name: String) throws {
        let bytes = try TestData.bytes(TestData.pngSuite.appendingPathComponent("png/\(name).png"))
        #expect(throws: RasterError.self) { try Image.decode(bytes) }
    }

    @Test("BMP copies decode to the same pixels as the PNG originals", arguments: validFiles)
    func decodesBMPCopy(_ name: String) throws {
        let url = TestData.pngSuite.appendingPathComponent("bmp/\(name).bmp")
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let bmp = try BMP.decode(TestData.bytes(url))
        let png = try PNG.decode(TestData.bytes(TestData.pngSuite.appendingPathComponent("png/\(name).png")))
        #expect(bmp.width == png.width && bmp.height == png.height)
        // The BMPs were written from 8-bit data by another program; fully
        // transparent pixels may carry any colour there.
        var worst = 0
        for i in stride(from: 0, to: min(bmp.pixels.count, png.pixels.count), by: 4) {
            if png.pixels[i + 3] == 0 && bmp.pixels[i + 3] == 0 { continue }
            for k in 0..<4 { worst = max(worst, abs(Int(bmp.pixels[i + k]) - Int(png.pixels[i + k]))) }
        }
        #expect(worst <= 1, "\(name): BMP differs by up to \(worst)")
    }
}
