import Foundation
import Raster
import Testing
import TestSupport

/// Files written by Pillow and ImageMagick decode to the pixels Pillow reads.
@Suite("Independent encoders' files")
struct FixtureTests {
    struct Entry: Decodable, CustomTestStringConvertible, Sendable {
        var file: String
        var expect: String
        var tolerance: Int
        var width: Int?
        var height: Int?
        var pixels: String?
        var testDescription: String { file }
    }

    static let entries: [Entry] = {
        guard let data = try? Data(contentsOf: TestData.fixtures.appendingPathComponent("manifest.json")),
              let entries = try? JSONDecoder().decode([Entry].self, from: data)
        else { return [] }
        return entries
    }()

    @Test("the manifest lists every fixture")
    func manifestIsComplete() {
        #expect(Self.entries.count >= 20)
        for format in ["png", "jpg", "bmp"] {
            #expect(Self.entries.contains { $0.file.hasSuffix(format) })
        }
    }

    @Test("decodes to the reference pixels", arguments: entries.filter { $0.expect == "pixels" })
    func decodes(_ entry: Entry) throws {
        let image = try Image.decode(TestData.fixture(entry.file))
        #expect(image.width == entry.width)
        #expect(image.height == entry.height)
        let reference = try TestData.fixture(try #require(entry.pixels))
        let expected = try Image(width: image.width, height: image.height, pixels: reference)
        let worst = maxDifference(image, expected)
        #expect(worst <= entry.tolerance, "\(entry.file): off by up to \(worst)")
    }

    @Test("is refused as unsupported", arguments: entries.filter { $0.expect == "unsupported" })
    func refused(_ entry: Entry) throws {
        let bytes = try TestData.fixture(entry.file)
        #expect {
            try Image.decode(bytes)
        } throws: { error in
            guard case .unsupportedFormat(let message)? = error as? RasterError else { return false }
            return !message.isEmpty
        }
    }

    @Test("format sniffing reads magic bytes, not names")
    func sniffing() throws {
        #expect(ImageFormat.sniff(try TestData.fixture("pillow-rgb.png")) == .png)
        #expect(ImageFormat.sniff(try TestData.fixture("pillow-420.jpg")) == .jpeg)
        #expect(ImageFormat.sniff(try TestData.fixture("pillow-24.bmp")) == .bmp)
        #expect(ImageFormat.sniff(Array("GIF89a".utf8)) == nil)
        #expect(ImageFormat.sniff([]) == nil)
        #expect(ImageFormat(fileExtension: "JPEG") == .jpeg)
        #expect(ImageFormat(fileExtension: "gif") == nil)
    }

    @Test("the JPEG header is read without decoding")
    func jpegHeader() throws {
        let header = try JPEG.header(TestData.fixture("pillow-progressive.jpg"))
        #expect(header.width == 37 && header.height == 23)
        #expect(header.progressive)
        #expect(try JPEG.header(TestData.fixture("pillow-gray.jpg")).components == 1)
    }
}
