import ArgumentParser
import Dispatch
import Disorder
import Foundation
import Raster
import Synchronization

/// `upare disorder`: scramble and unscramble pictures in batches.
struct DisorderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disorder",
        abstract: "Scramble (encrypt) and unscramble (decrypt) PNG, JPEG and BMP pictures with a key.",
        subcommands: [Encrypt.self, Decrypt.self, KeyGen.self])

    struct KeyGen: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keygen", abstract: "Print a new random key (64 hex digits) for a key file.")
        func run() { print(DisorderKey().hexString) }
    }

    struct Encrypt: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Scramble pictures. Output: <name>.disorder.<ext> beside each input, or the same relative path under --out.")
        @OptionGroup var batch: DisorderBatchOptions
        @Option(help: "Block size in pixels: a multiple of 8 (JPEG: of its MCU, 16 fits all).")
        var blockSize = 16
        @Flag(inversion: .prefixedNo, help: "Rotate and mirror blocks (PNG and BMP).")
        var rotate = true
        @Flag(help: "Shuffle each block's colour channels (PNG and BMP).")
        var shuffleChannels = false

        func run() throws {
            var options = DisorderOptions()
            options.blockSize = blockSize
            options.rotateAndFlip = rotate
            options.shuffleChannels = shuffleChannels
            let chosen = options
            try batch.process(encrypting: true) { bytes, key in try Disorder.scramble(bytes, key: key, options: chosen) }
        }
    }

    struct Decrypt: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore scrambled pictures. Output: the name without .disorder beside each input, or under --out.")
        @OptionGroup var batch: DisorderBatchOptions

        func run() throws {
            try batch.process(encrypting: false) { bytes, key in try Disorder.unscramble(bytes, key: key) }
        }
    }
}

struct DisorderBatchOptions: ParsableArguments {
    @Option(help: "A file holding the key: 64 hex digits, base64 of 32 bytes, or a passphrase.")
    var keyFile: String
    @Option(help: "Write outputs under this folder, keeping relative paths.")
    var out: String?
    @Flag(help: "Replace each input with its output (written atomically).")
    var inPlace = false
    @Flag(help: "Replace existing output files.")
    var overwrite = false
    @Option(help: "Worker threads (default: all cores).")
    var threads = ProcessInfo.processInfo.activeProcessorCount
    @Argument(help: "Files and folders (folders are searched recursively for .png, .jpg, .jpeg, .bmp).")
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("name at least one file or folder") }
        guard !(inPlace && out != nil) else { throw ValidationError("--in-place and --out exclude each other") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be 1...256") }
    }

    /// A file to process and where its output goes.
    struct Job {
        var input: String
        var output: String
    }

    static let extensions: Set<String> = ["png", "jpg", "jpeg", "bmp"]

    func jobs(encrypting: Bool) throws -> [Job] {
        var jobs: [Job] = []
        let manager = FileManager.default
        for path in paths {
            var isFolder: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw ValidationError("\(path): no such file or folder")
            }
            if isFolder.boolValue {
                let root = URL(fileURLWithPath: path).standardizedFileURL
                let walker = manager.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
                while let url = walker?.nextObject() as? URL {
                    guard Self.extensions.contains(url.pathExtension.lowercased()),
                          (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true
                    else { continue }
                    let relative = String(url.standardizedFileURL.path.dropFirst(root.path.count + 1))
                    let base = out.map { ($0 as NSString).appendingPathComponent(root.lastPathComponent) }
                    jobs.append(Job(input: url.path, output: outputPath(for: url.path, relative: relative, under: base, encrypting: encrypting)))
                }
            } else {
                let name = (path as NSString).lastPathComponent
                jobs.append(Job(input: path, output: outputPath(for: path, relative: name, under: out, encrypting: encrypting)))
            }
        }
        return jobs
    }

    func outputPath(for input: String, relative: String, under folder: String?, encrypting: Bool) -> String {
        if inPlace { return input }
        if let folder { return (folder as NSString).appendingPathComponent(relative) }
        let directory = (input as NSString).deletingLastPathComponent
        let ext = (input as NSString).pathExtension
        var stem = ((input as NSString).lastPathComponent as NSString).deletingPathExtension
        if encrypting {
            stem += ".disorder"
        } else if stem.hasSuffix(".disorder") {
            stem.removeLast(".disorder".count)
        } else {
            stem += ".restored"
        }
        return (directory as NSString).appendingPathComponent(stem + (ext.isEmpty ? "" : "." + ext))
    }

    /// Runs `transform` over every job on all threads; a failing file is
    /// reported and the others go on. Exits 1 when any failed.
    func process(encrypting: Bool, _ transform: @escaping @Sendable ([UInt8], DisorderKey) throws -> [UInt8]) throws {
        let key: DisorderKey
        do {
            let text = try String(contentsOfFile: keyFile, encoding: .utf8)
            key = try DisorderKey(text: text)
        } catch let error as DisorderError {
            FileHandle.standardError.write(Data("upare: \(keyFile): \(error)\n".utf8))
            throw ExitCode.failure
        } catch {
            FileHandle.standardError.write(Data("upare: cannot read the key file \(keyFile)\n".utf8))
            throw ExitCode.failure
        }
        let jobs = try self.jobs(encrypting: encrypting)
        let failures = Mutex<[String]>([])
        let progress = Mutex(ProgressBar(total: jobs.count, label: "files"))
        let next = Mutex(0)
        let overwrite = self.overwrite, inPlace = self.inPlace
        DispatchQueue.concurrentPerform(iterations: min(threads, max(1, jobs.count))) { _ in
            while true {
                let index: Int = next.withLock { value in
                    defer { value += 1 }
                    return value
                }
                guard index < jobs.count else { return }
                let job = jobs[index]
                do {
                    if !inPlace, !overwrite, FileManager.default.fileExists(atPath: job.output) {
                        throw RasterError.io("\(job.output) exists (use --overwrite)")
                    }
                    let input = try RasterFile.read(job.input, maxSize: 512 << 20)
                    let output = try transform(input, key)
                    try FileManager.default.createDirectory(
                        atPath: (job.output as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try RasterFile.write(output, to: job.output)
                } catch {
                    failures.withLock { $0.append("\(job.input): \(error)") }
                }
                progress.withLock { $0.advance() }
            }
        }
        progress.withLock { $0.finish() }
        let failed = failures.withLock { $0 }
        for line in failed.sorted() { FileHandle.standardError.write(Data("upare: \(line)\n".utf8)) }
        let verb = encrypting ? "scrambled" : "restored"
        FileHandle.standardError.write(Data("\(jobs.count - failed.count) of \(jobs.count) files \(verb)\n".utf8))
        if !failed.isEmpty { throw ExitCode.failure }
    }
}
