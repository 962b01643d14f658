import ArgumentParser
import Foundation
import Raster

/// `upare convert IN OUT`: decode any supported format, encode by OUT's extension.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert an image between PNG, JPEG and BMP.",
        discussion: """
            The input format is recognised by its content; the output format by OUT's extension \
            (.png, .jpg/.jpeg, .bmp) or --format. - as IN reads standard input, - as OUT writes \
            standard output (then --format is required).
            """)

    @Argument(help: "The image to read (PNG, JPEG or BMP), or - for standard input.")
    var input: String

    @Argument(help: "The file to write (its extension chooses the format), or - for standard output.")
    var output: String

    @Option(help: "The output format: png, jpg or bmp (default: OUT's extension).")
    var format: String?

    @Option(help: "JPEG quality, 1 to 100.")
    var quality: Int = 85

    @Option(help: "PNG output: fast (upare's run-length deflate on all cores), default (libdeflate level 5) or best (level 10, never larger than libpng's level 9).")
    var pngCompression: PNG.Compression = .default

    func validate() throws {
        guard (1...100).contains(quality) else {
            throw ValidationError("--quality must be between 1 and 100")
        }
        if let format, ImageFormat(fileExtension: format) == nil {
            throw ValidationError("--format must be png, jpg or bmp, not \(format)")
        }
        if format == nil, StandardStreams.isStream(output) {
            throw ValidationError("writing to standard output needs --format png, jpg or bmp")
        }
    }

    func run() throws {
        do {
            // The input is read first: a broken input is reported as such.
            let image = try Image.decode(StandardStreams.read(input, maxSize: 256 << 20))
            let ext = (output as NSString).pathExtension
            guard let chosen = format.flatMap(ImageFormat.init(fileExtension:)) ?? ImageFormat(fileExtension: ext) else {
                throw RasterError.unsupportedFormat("cannot tell the output format from the extension '.\(ext)' (use png, jpg or bmp, or --format)")
            }
            let bytes = try image.encoded(as: chosen, quality: quality, pngCompression: pngCompression)
            if StandardStreams.isStream(output) {
                try StandardStreams.write(bytes)
            } else {
                try RasterFile.write(bytes, to: output)
            }
        } catch {
            FileHandle.standardError.write(Data("upare: \(StandardStreams.isStream(input) ? "standard input" : input): \(error)\n".utf8))
            throw UpareExit.nothingDone
        }
    }
}
