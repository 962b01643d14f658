import ArgumentParser
import Captcha
import Disorder
import Dispatch
import Foundation
import Raster
import Synchronization

/// `upare bench captcha`: captcha throughput on one core and on all cores.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput.",
        subcommands: [CaptchaBench.self, DisorderBench.self])
}

struct CaptchaBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "captcha",
        abstract: "Captchas per second (render and encode), single-threaded and on N threads.")

    @Option(help: "png, jpg or bmp.")
    var type = OutputFormat(.png)
    @Option(help: "Threads for the parallel run (default: all cores).")
    var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Seconds per measurement.")
    var seconds = 3.0
    @Flag(help: "Report as one JSON object on standard output.")
    var json = false
    @OptionGroup var captcha: CaptchaOptionGroup

    func validate() throws {
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be 1...256") }
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be in (0, 600]") }
    }

    struct Tally {
        var count = 0
        var bytes = 0
        var renderNanoseconds: UInt64 = 0
        var encodeNanoseconds: UInt64 = 0
    }

    /// Renders and encodes captchas until `deadline`, timing the two steps apart.
    static func work(_ renderer: CaptchaRenderer, format: ImageFormat, seed: UInt64, seconds: Double) -> Tally {
        var tally = Tally()
        var random = CaptchaRandom(seed: seed)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        while DispatchTime.now().uptimeNanoseconds < deadline {
            for _ in 0..<32 {
                let start = DispatchTime.now().uptimeNanoseconds
                let challenge = renderer.challenges.make(using: &random)
                let picture = renderer.render(challenge, using: &random)
                let rendered = DispatchTime.now().uptimeNanoseconds
                let bytes = (try? picture.encoded(as: format).bytes.count) ?? 0
                let encoded = DispatchTime.now().uptimeNanoseconds
                tally.count += 1
                tally.bytes += bytes
                tally.renderNanoseconds += rendered - start
                tally.encodeNanoseconds += encoded - rendered
            }
        }
        return tally
    }

    func run() throws {
        let renderer: CaptchaRenderer
        do {
            renderer = try captcha.renderer()
        } catch {
            FileHandle.standardError.write(Data("upare: \(error)\n".utf8))
            throw UpareExit.nothingDone
        }
        let format = type.format
        let options = renderer.options
        let report = BenchReport(json: json)
        report.say("captcha \(options.width)x\(options.height), \(options.math ? "math" : "\(options.length) glyphs"), \(format.rawValue), curves \(options.useCurve ? "on" : "off"), noise \(options.useNoise ? "on" : "off")",
                   ["width": options.width, "height": options.height, "format": format.rawValue])
        _ = Self.work(renderer, format: format, seed: 99, seconds: min(0.3, seconds))  // warm the glyph cache

        let single = Self.work(renderer, format: format, seed: 1, seconds: seconds)
        let singleRate = Double(single.count) / seconds
        let renderMicroseconds = Double(single.renderNanoseconds) / Double(max(1, single.count)) / 1000
        let encodeMicroseconds = Double(single.encodeNanoseconds) / Double(max(1, single.count)) / 1000
        report.say(String(format: "1 thread:   %8.0f captchas/s  (render %.1f µs + encode %.1f µs), %d bytes each on average",
                          singleRate, renderMicroseconds, encodeMicroseconds, single.bytes / max(1, single.count)),
                   ["single_per_second": singleRate, "render_microseconds": renderMicroseconds,
                    "encode_microseconds": encodeMicroseconds, "bytes": single.bytes / max(1, single.count)])

        let tallies = Mutex<[Tally]>([])
        let threadCount = threads
        let started = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: threadCount) { index in
            let tally = Self.work(renderer, format: format, seed: UInt64(index + 2), seconds: seconds)
            tallies.withLock { $0.append(tally) }
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let total = tallies.withLock { $0.reduce(0) { $0 + $1.count } }
        let parallelRate = Double(total) / elapsed
        report.say(String(format: "%d threads: %8.0f captchas/s  (%.2fx one thread)", threadCount, parallelRate, parallelRate / singleRate),
                   ["threads": threadCount, "parallel_per_second": parallelRate, "scaling": parallelRate / singleRate])
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        report.say("peak memory: \(usage.ru_maxrss / 1024) MiB", ["peak_memory_mib": usage.ru_maxrss / 1024])
        try report.finish()
    }
}

/// `upare bench disorder`: JPEG coefficient-domain scrambling against jpegtran,
/// the PNG pipeline split into its steps, and batch scaling over cores.
struct DisorderBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disorder",
        abstract: "Scrambling throughput: JPEG vs jpegtran -rotate 180, PNG steps, batch scaling.")

    @Option(help: ArgumentHelp(
        "A picture to measure with (default: a generated 12-megapixel photo-like picture).",
        discussion: "A JPEG is scrambled as it is and decoded for the PNG steps; a PNG is decoded as it is and encoded as a JPEG (quality 85) for the JPEG steps; a BMP is re-encoded for both."))
    var input: String?
    @Option(help: "Repetitions per measurement (the median is reported).")
    var repeats = 5
    @Flag(help: "Leave glibc's malloc settings alone (the batch commands keep freed memory; see MallocTuning).")
    var untunedMalloc = false
    @Option(parsing: .upToNextOption, help: "PNG compression levels to measure (best is slow on big pictures).")
    var levels: [PNG.Compression] = [.fast, .default]
    @Flag(help: "Report as one JSON object on standard output.")
    var json = false

    func validate() throws {
        guard (1...1000).contains(repeats) else { throw ValidationError("--repeats must be 1...1000") }
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func median(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.sorted()[values.count / 2] }

    /// Minor page faults of this process so far (fresh pages the kernel mapped).
    static func minorFaults() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_minflt
    }

    func run() throws {
        if !untunedMalloc { MallocTuning.keepFreedMemory() }
        let key = DisorderKey()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("upare-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // The input's own bytes where its format is the one measured: an encoder's
        // choices (IDAT chunking, progressive scans) are part of what is timed.
        let file = try input.map { try RasterFile.read($0, maxSize: 512 << 20) }
        let format = file.flatMap(ImageFormat.sniff)
        if let input, format == nil { throw RasterError.unsupportedFormat("\(input) is not a PNG, JPEG or BMP file") }
        let picture = try file.map { try Image.decode($0) } ?? Image.photoLike(width: 4000, height: 3000)
        let jpeg = try format == .jpeg ? file ?? [] : JPEG.encode(picture, options: JPEG.EncodeOptions(quality: 85))
        let jpegPath = folder + "/photo.jpg"
        try RasterFile.write(jpeg, to: jpegPath)
        let report = BenchReport(json: json)
        report.say("picture: \(picture.width)x\(picture.height), JPEG \(jpeg.count / 1024) KiB\(format == .png ? " (encoded from the PNG)" : "")",
                   ["width": picture.width, "height": picture.height, "jpeg_bytes": jpeg.count])

        // JPEG: our coefficient-domain scramble vs jpegtran's lossless rotation, same file, same run.
        let ours = Self.median(try (0..<repeats).map { _ in try Self.seconds { _ = try Disorder.scramble(jpeg, key: key) } })
        if let jpegtran = ["/usr/bin/jpegtran", "/usr/local/bin/jpegtran"].first(where: FileManager.default.isExecutableFile) {
            let theirs = Self.median(try (0..<repeats).map { _ in
                try Self.seconds {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: jpegtran)
                    process.arguments = ["-copy", "all", "-rotate", "180", "-outfile", folder + "/rotated.jpg", jpegPath]
                    try process.run()
                    process.waitUntilExit()
                }
            })
            report.say(String(format: "JPEG scramble (DCT domain): %.1f ms; jpegtran -copy all -rotate 180: %.1f ms; ratio %.2fx",
                              ours * 1000, theirs * 1000, ours / theirs),
                       ["jpeg_scramble_ms": ours * 1000, "jpegtran_rotate_ms": theirs * 1000, "jpeg_ratio": ours / theirs])
        } else {
            report.say(String(format: "JPEG scramble (DCT domain): %.1f ms (install libjpeg-turbo-progs to compare with jpegtran)", ours * 1000),
                       ["jpeg_scramble_ms": ours * 1000])
        }

        let cores = ProcessInfo.processInfo.activeProcessorCount
        // PNG: decode, permute and encode timed apart.
        let png = try format == .png ? file ?? [] : PNG.encode(picture, layout: .rgb)
        var decodes: [Double] = [], permutes: [Double] = []
        var scrambled = picture
        for _ in 0..<repeats {
            // Each round scrambles a freshly decoded picture in place, as the pipeline does.
            decodes.append(try Self.seconds { scrambled = try PNG.decode(png) })
            permutes.append(Self.seconds { _ = Disorder.scramblePixels(&scrambled, key: key) })
        }
        let decode = Self.median(decodes), permute = Self.median(permutes)
        let header = Disorder.scramblePixels(&scrambled, key: key)
        let derive = Self.median((0..<repeats).map { _ in Self.seconds { _ = BlockPermutation(header: header, key: key) } })
        let gigabytes = Double(picture.pixels.count) / 1e9
        report.say(String(format: "PNG scramble: decode %.0f ms, permute %.1f ms (%.2f GB/s of pixels; %.1f ms of it deriving the block moves)",
                          decode * 1000, permute * 1000, gigabytes / permute, derive * 1000),
                   ["png_decode_ms": decode * 1000, "png_permute_ms": permute * 1000, "png_derive_ms": derive * 1000])
        let libpngDecode = Self.median(try (0..<repeats).map { _ in try Self.seconds { _ = try PNG.decodeWithLibpng(png) } })
        report.say(String(format: "PNG decode by libpng (the baseline): %.0f ms; direct reader %.2fx faster", libpngDecode * 1000, libpngDecode / decode),
                   ["png_decode_libpng_ms": libpngDecode * 1000])

        // Encoding the scrambled picture: libpng (zlib level 6, all filters; the
        // writer before PNG.Compression) beside each level, on one core and on all.
        var baseline: [UInt8] = []
        let libpng = Self.median(try (0..<max(1, repeats / 2)).map { _ in
            try Self.seconds { baseline = try PNG.encode(scrambled, options: PNG.EncodeOptions(compressionLevel: 6, filter: .all)) }
        })
        report.say(String(format: "PNG encode, libpng zlib level 6 (the baseline): %.0f ms, %d bytes", libpng * 1000, baseline.count),
                   ["png_encode_libpng_ms": libpng * 1000, "png_encode_libpng_bytes": baseline.count])
        for compression in levels {
            for threads in Set([1, cores]).sorted() {
                var bytes: [UInt8] = []
                let time = Self.median(try (0..<max(1, repeats / 2)).map { _ in
                    try Self.seconds { bytes = try PNG.encode(scrambled, compression: compression, threads: threads) }
                })
                let name = "png_encode_\(compression)_\(threads)t"
                report.say(String(format: "PNG encode, %@, %d thread%@: %.0f ms (%.1fx libpng), %d bytes (%.3f of libpng's)",
                                  compression.rawValue, threads, threads == 1 ? "" : "s", time * 1000, libpng / time, bytes.count,
                                  Double(bytes.count) / Double(baseline.count)),
                           [name + "_ms": time * 1000, name + "_bytes": bytes.count])
            }
        }

        // Batch: the same work on 1 and on all cores.
        let files = 24
        let medium = try (input == nil ? Image.photoLike(width: 2000, height: 1500) : picture)
            .encoded(as: .jpeg, quality: 85)
        // Rounds alternate one thread and all cores, so that the machine's own
        // drift (a shared host) falls on both sides of each ratio.
        func batch(_ threads: Int) -> (rate: Double, faultsPerFile: Double) {
            let faults = Self.minorFaults()
            let elapsed = Self.seconds {
                DispatchQueue.concurrentPerform(iterations: threads) { worker in
                    for _ in stride(from: worker, to: files * threads, by: threads) {
                        _ = try? Disorder.scramble(medium, key: key)
                    }
                }
            }
            return (Double(files * threads) / elapsed, Double(Self.minorFaults() - faults) / Double(files * threads))
        }
        var single: [Double] = [], parallel: [Double] = [], ratios: [Double] = [], faults: [Double] = []
        for _ in 0..<max(3, repeats) {
            let one = batch(1)
            single.append(one.rate)
            faults.append(one.faultsPerFile)
            guard cores > 1 else { continue }
            let all = batch(cores)
            parallel.append(all.rate)
            ratios.append(all.rate / one.rate)
        }
        report.say(String(format: "batch, 1 thread: %.1f files/s (3-megapixel JPEGs, median of %d rounds), %.0f page faults a file",
                          Self.median(single), single.count, Self.median(faults)),
                   ["batch_files_per_second_1_threads": Self.median(single), "batch_page_faults_per_file": Self.median(faults)])
        if cores > 1 {
            report.say(String(format: "batch, %d threads: %.1f files/s; scaling per round: %@ (median %.2fx, lowest %.2fx)",
                              cores, Self.median(parallel), ratios.map { String(format: "%.2fx", $0) }.joined(separator: " "),
                              Self.median(ratios), ratios.min() ?? 0),
                       ["batch_files_per_second_\(cores)_threads": Self.median(parallel), "batch_scaling": Self.median(ratios),
                        "batch_scaling_lowest": ratios.min() ?? 0, "cores": cores])
        }
        try report.finish()
    }
}
