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
            commandName: "keygen", abstract: "Make a new random key (64 hex digits): printed, or written to a new file readable by you only.")
        @Option(help: "Write the key to this new file, mode 0600 (an existing file is never replaced).")
        var out: String?

        func run() throws {
            let line = DisorderKey().hexString + "\n"
            guard let out else { return print(line, terminator: "") }
            // O_EXCL: a key file is never silently replaced; 0600 from the start,
            // so the key is never readable by others, even for a moment.
            let descriptor = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                let reason = errno == EEXIST ? "exists; remove it first or choose another name" : String(cString: strerror(errno))
                FileHandle.standardError.write(Data("upare: \(out): \(reason)\n".utf8))
                throw UpareExit.nothingDone
            }
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            do {
                try handle.write(contentsOf: Data(line.utf8))
                try handle.synchronize()
            } catch {
                unlink(out)
                FileHandle.standardError.write(Data("upare: cannot write \(out): \(error.localizedDescription)\n".utf8))
                throw UpareExit.nothingDone
            }
        }
    }

    struct Encrypt: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "encrypt",
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
            try batch.process(encrypting: true, options: options) { try Disorder.scramble($0, key: $1, options: $2) }
        }
    }

    struct Decrypt: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "decrypt",
            abstract: "Restore scrambled pictures. Output: the name without .disorder beside each input, or under --out.")
        @OptionGroup var batch: DisorderBatchOptions

        func run() throws {
            try batch.process(encrypting: false, options: DisorderOptions()) { try Disorder.unscramble($0, key: $1, options: $2) }
        }
    }
}

struct DisorderBatchOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A file holding the key: 64 hex digits, base64 of 32 bytes, or a passphrase; - reads it from standard input.",
        discussion: "Without --key-file the key is taken from UPARE_DISORDER_KEY."))
    var keyFile: String?
    @Option(help: "Write outputs under this folder, keeping relative paths.")
    var out: String?
    @Flag(help: "Replace each input with its output (written atomically).")
    var inPlace = false
    @Flag(help: "Replace existing output files.")
    var overwrite = false
    @Option(help: "Worker threads (default: all cores).")
    var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "PNG output: fast (upare's run-length deflate on all cores), default (libdeflate level 5) or best (level 10, never larger than libpng's level 9).")
    var pngCompression: PNG.Compression = .fast
    @Flag(help: "Report on standard output as JSON: counts, each output, each failure.")
    var json = false
    @Argument(help: "Files and folders (folders are searched recursively for .png, .jpg, .jpeg, .bmp); - alone: standard input to standard output.")
    var paths: [String]

    /// `-`: one picture from standard input, its result to standard output.
    var isStream: Bool { paths == ["-"] }

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("name at least one file or folder") }
        guard !(inPlace && out != nil) else { throw ValidationError("--in-place and --out exclude each other") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be 1...256") }
        if paths.contains("-") {
            guard isStream else { throw ValidationError("- (standard input) stands alone, without other files") }
            guard !inPlace, out == nil, !json else { throw ValidationError("- writes to standard output: no --in-place, --out or --json") }
            guard keyFile != "-" else { throw ValidationError("the picture comes from standard input, so the key cannot: use --key-file FILE or UPARE_DISORDER_KEY") }
        }
        if keyFile == nil, ProcessInfo.processInfo.environment["UPARE_DISORDER_KEY"]?.isEmpty ?? true {
            throw ValidationError("give the key: --key-file FILE, --key-file - (standard input) or UPARE_DISORDER_KEY")
        }
    }

    /// The key of --key-file (a file, or - for standard input) or UPARE_DISORDER_KEY.
    func key() throws -> DisorderKey {
        let source: String, text: String
        switch keyFile {
        case "-":
            source = "the key on standard input"
            text = String(decoding: FileHandle.standardInput.readData(ofLength: 64 << 10), as: UTF8.self)
        case let path?:
            source = path
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                FileHandle.standardError.write(Data("upare: cannot read the key file \(path)\n".utf8))
                throw UpareExit.nothingDone
            }
        case nil:
            source = "UPARE_DISORDER_KEY"
            text = ProcessInfo.processInfo.environment["UPARE_DISORDER_KEY"] ?? ""
        }
        do {
            return try DisorderKey(text: text)
        } catch {
            FileHandle.standardError.write(Data("upare: \(source): \(error)\n".utf8))
            throw UpareExit.nothingDone
        }
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
    /// reported and the others go on. Exits 1 when some failed, 3 when all did.
    /// `transform` gets `options` with `--png-compression` and the threads one
    /// picture may use: all of them for a single file, one each when the files
    /// already keep every thread busy.
    func process(
        encrypting: Bool, options: DisorderOptions,
        _ transform: @escaping @Sendable ([UInt8], DisorderKey, DisorderOptions) throws -> [UInt8]
    ) throws {
        let key = try self.key()
        var perPicture = options
        perPicture.pngCompression = pngCompression
        perPicture.threads = threads
        if isStream {
            let single = perPicture
            return try stream(key) { try transform($0, $1, single) }
        }
        let jobs = try self.jobs(encrypting: encrypting)
        if jobs.count > 1 { MallocTuning.keepFreedMemory() }
        perPicture.threads = jobs.count >= threads ? 1 : max(1, threads / max(1, jobs.count))
        let chosen = perPicture
        let failures = Mutex<[String: String]>([:])
        let progress = Mutex(ProgressBar(total: jobs.count, label: "files", enabled: !json))
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
                    let input = try RasterFile.read(job.input, maxSize: Self.maxFileSize)
                    let output = try transform(input, key, chosen)
                    try FileManager.default.createDirectory(
                        atPath: (job.output as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try RasterFile.write(output, to: job.output)
                } catch {
                    failures.withLock { $0[job.input] = "\(error)" }
                }
                progress.withLock { $0.advance() }
            }
        }
        progress.withLock { $0.finish() }
        let failed = failures.withLock { $0 }
        for (input, reason) in failed.sorted(by: { $0.key < $1.key }) {
            FileHandle.standardError.write(Data("upare: \(input): \(reason)\n".utf8))
        }
        let verb = encrypting ? "scrambled" : "restored"
        if json {
            let report: [String: Any] = [
                "action": encrypting ? "encrypt" : "decrypt", "total": jobs.count, "succeeded": jobs.count - failed.count,
                "outputs": jobs.filter { failed[$0.input] == nil }.map { ["input": $0.input, "output": $0.output] },
                "failures": failed.sorted(by: { $0.key < $1.key }).map { ["input": $0.key, "error": $0.value] },
            ]
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys, .withoutEscapingSlashes])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } else {
            FileHandle.standardError.write(Data("\(jobs.count - failed.count) of \(jobs.count) files \(verb)\n".utf8))
        }
        if let code = UpareExit.batch(total: jobs.count, failed: failed.count) { throw code }
    }

    /// The largest picture read, from a file or standard input.
    static let maxFileSize = 512 << 20

    /// One picture from standard input to standard output.
    func stream(_ key: DisorderKey, _ transform: ([UInt8], DisorderKey) throws -> [UInt8]) throws {
        do {
            let input = try StandardStreams.read(maxSize: Self.maxFileSize)
            try StandardStreams.write(transform(input, key))
        } catch {
            FileHandle.standardError.write(Data("upare: standard input: \(error)\n".utf8))
            throw UpareExit.nothingDone
        }
    }
}
