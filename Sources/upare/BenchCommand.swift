import ArgumentParser
import Captcha
import Dispatch
import Foundation
import Raster
import Synchronization

/// `upare bench captcha`: captcha throughput on one core and on all cores.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput.",
        subcommands: [CaptchaBench.self])
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
            renderer = try CaptchaRenderer(options: captcha.captchaOptions(), fonts: FontLibrary.standard())
        } catch {
            FileHandle.standardError.write(Data("upare: \(error)\n".utf8))
            throw ExitCode.failure
        }
        let format = type.format
        let options = renderer.options
        print("captcha \(options.width)x\(options.height), \(options.math ? "math" : "\(options.length) glyphs"), \(format.rawValue), curves \(options.useCurve ? "on" : "off"), noise \(options.useNoise ? "on" : "off")")
        _ = Self.work(renderer, format: format, seed: 99, seconds: min(0.3, seconds))  // warm the glyph cache

        let single = Self.work(renderer, format: format, seed: 1, seconds: seconds)
        let singleRate = Double(single.count) / seconds
        print(String(format: "1 thread:   %8.0f captchas/s  (render %.1f µs + encode %.1f µs), %d bytes each on average",
                     singleRate, Double(single.renderNanoseconds) / Double(single.count) / 1000,
                     Double(single.encodeNanoseconds) / Double(single.count) / 1000, single.bytes / max(1, single.count)))

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
        print(String(format: "%d threads: %8.0f captchas/s  (%.2fx one thread)", threadCount, parallelRate, parallelRate / singleRate))
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print("peak memory: \(usage.ru_maxrss / 1024) MiB")
    }
}
