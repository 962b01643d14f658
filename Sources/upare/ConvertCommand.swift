import ArgumentParser
import Foundation
import Raster

/// `upare convert IN OUT`: decode any supported format, encode by OUT's extension.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert an image between PNG, JPEG and BMP.",
        discussion: "The input format is recognised by its content; the output format by OUT's extension (.png, .jpg/.jpeg, .bmp).")

    @Argument(help: "The image to read (PNG, JPEG or BMP).")
    var input: String

    @Argument(help: "The file to write; its extension chooses the format.")
    var output: String

    @Option(help: "JPEG quality, 1 to 100.")
    var quality: Int = 85

    func validate() throws {
        guard (1...100).contains(quality) else {
            throw ValidationError("--quality must be between 1 and 100")
        }
    }

    func run() throws {
        do {
            let image = try Image.read(contentsOf: input)
            try image.write(to: output, quality: quality)
        } catch {
            FileHandle.standardError.write(Data("upare: \(input): \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
