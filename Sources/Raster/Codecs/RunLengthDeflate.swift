/// A deflate encoder of upare's own for filtered PNG rows, the `fast` level of
/// `PNG.Compression`: runs of one byte become matches at distance 1 (zlib's
/// `Z_RLE` strategy) and everything else is Huffman-coded, one dynamic block per
/// `blockInput` bytes. After a good row filter most of a picture's redundancy is
/// in those runs and in the skewed byte histogram, so this gets close to zlib's
/// level 1 on photos at several times its speed.
///
/// Why not libdeflate here: libdeflate compresses whole buffers and always ends
/// with a final block, so pieces compressed on different cores cannot be joined
/// into one stream. This encoder ends a piece byte-aligned and not final (a sync
/// flush marker, as pigz does with zlib), so `PNGStripWriter` can concatenate
/// strips compressed in parallel.
struct RunLengthDeflate {
    /// Input bytes per Huffman block: small enough to follow the picture's
    /// content, large enough that the block header (about 70 bytes) is noise.
    static let blockInput = 256 << 10

    private var tokens: [UInt16]
    private var literalLengths = [UInt32](repeating: 0, count: 286)
    /// Counts of each token (0...511), in two halves that alternate so that a
    /// run of one value does not wait on its own counter.
    private var tokenCounts = [UInt32](repeating: 0, count: 1024)
    /// The stream so far, and the bits of its last byte not yet written.
    private var output: [UInt8] = []
    private var pendingBits: UInt64 = 0
    private var pendingCount = 0

    /// `expectedInput`: the bytes that will be appended, to size the output
    /// once (stored blocks' bound) instead of growing it as blocks come.
    init(expectedInput: Int = 0) {
        tokens = [UInt16](repeating: 0, count: Self.blockInput)
        output.reserveCapacity(Self.bound(expectedInput) + 16)
    }

    /// An upper bound of the bytes `append` adds for `count` input bytes:
    /// stored blocks are every block's fallback.
    static func bound(_ count: Int) -> Int {
        count + (count / 65_535 + 1) * 5 + (count / blockInput + 1) * 8 + 16
    }

    /// Compresses `input` as deflate blocks, none of them final. Never refers
    /// to data before `input`, so each call's blocks stand alone.
    mutating func append(_ input: UnsafeBufferPointer<UInt8>) {
        guard !input.isEmpty else { return }
        write(reserving: Self.bound(input.count)) { encoder, writer in
            var offset = 0
            while offset < input.count {
                let end = min(input.count, offset + Self.blockInput)
                encoder.writeBlock(UnsafeBufferPointer(rebasing: input[offset..<end]), into: &writer)
                offset = end
            }
        }
    }

    /// Ends the stream byte-aligned and returns it: with a final empty block when
    /// `final`, else with an empty stored block (the sync-flush marker
    /// `00 00 FF FF`), after which another piece's blocks may follow.
    mutating func finish(final: Bool) -> [UInt8] {
        write(reserving: 16) { _, writer in
            if final {
                writer.put(1, 1)  // BFINAL
                writer.put(1, 2)  // fixed Huffman codes
                writer.put(0, 7)  // end of block (code 256 is seven zero bits)
                writer.alignToByte()
            } else {
                writer.put(0, 3)  // a stored block, not final
                writer.alignToByte()
                writer.putBytes([0x00, 0x00, 0xFF, 0xFF])
            }
        }
        defer { output = [] }
        return output
    }

    private mutating func write(reserving extra: Int, _ body: (inout RunLengthDeflate, inout BitWriter) -> Void) {
        let start = output.count
        var stream = output
        output = []
        stream.append(contentsOf: repeatElement(0, count: extra))
        let (end, bits, count) = stream.withUnsafeMutableBufferPointer { out in
            var writer = BitWriter(out, at: start, pending: pendingBits, count: pendingCount)
            body(&self, &writer)
            return (writer.position, writer.pendingBits, writer.pendingCount)
        }
        stream.removeLast(stream.count - end)
        output = stream
        pendingBits = bits
        pendingCount = count
    }

    // MARK: One block

    private mutating func writeBlock(_ input: UnsafeBufferPointer<UInt8>, into writer: inout BitWriter) {
        let count = tokenize(input)
        for i in 0..<literalLengths.count { literalLengths[i] = 0 }
        for token in 0..<512 {
            let n = tokenCounts[token] &+ tokenCounts[token + 512]
            guard n > 0 else { continue }
            literalLengths[token < 256 ? token : Self.lengthSymbol[token - 253]] &+= n
        }
        literalLengths[256] = 1  // end of block
        let litLengths = Huffman.codeLengths(literalLengths, limit: 15)
        // One distance in use (1, code 0); code 1 is there so the code is complete.
        let distLengths: [UInt8] = [1, 1]
        let header = DynamicHeader(literalLengths: litLengths, distanceLengths: distLengths)

        var bits = 3 + header.bitCount
        for symbol in 0..<286 where literalLengths[symbol] > 0 {
            var cost = Int(litLengths[symbol])
            if symbol > 256 { cost += Int(Self.extraBits[symbol - 257]) + 1 }  // + the distance code
            bits += cost * Int(literalLengths[symbol])
        }
        let storedBits = 8 * (input.count + 5 * ((input.count + 65_534) / 65_535)) + 7
        guard bits < storedBits else {
            writeStored(input, into: &writer)
            return
        }

        // Each token's whole code (the literal, or the length code, its extra
        // bits and the one-bit distance code) from one table lookup.
        let litCodes = Huffman.codes(litLengths)
        var tokenCode = [UInt32](repeating: 0, count: 512), tokenBits = [UInt8](repeating: 0, count: 512)
        for token in 0..<256 {
            tokenCode[token] = UInt32(litCodes[token])
            tokenBits[token] = litLengths[token]
        }
        for length in 3...258 {
            let symbol = Self.lengthSymbol[length]
            let extra = Int(Self.extraBits[symbol - 257])
            let extraValue = UInt32(length - Int(Self.baseLength[symbol - 257]))
            tokenCode[length + 253] = UInt32(litCodes[symbol]) | extraValue << UInt32(litLengths[symbol])
            tokenBits[length + 253] = litLengths[symbol] + UInt8(extra) + 1  // + distance code 0, a 0 bit
        }
        writer.put(0, 1)
        writer.put(2, 2)  // dynamic Huffman codes
        header.write(into: &writer)
        tokens.withUnsafeBufferPointer { t in
            tokenCode.withUnsafeBufferPointer { codes in
                tokenBits.withUnsafeBufferPointer { bits in
                    for i in 0..<count {
                        let token = Int(t[i])
                        writer.put(UInt64(codes[token]), Int(bits[token]))
                    }
                }
            }
        }
        writer.put(UInt64(litCodes[256]), Int(litLengths[256]))
    }

    private func writeStored(_ input: UnsafeBufferPointer<UInt8>, into writer: inout BitWriter) {
        var offset = 0
        repeat {
            let length = min(65_535, input.count - offset)
            writer.put(0, 3)
            writer.alignToByte()
            writer.putBytes([UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)])
            writer.putBytes(UnsafeBufferPointer(rebasing: input[offset..<(offset + length)]))
            offset += length
        } while offset < input.count
    }

    /// Literals, and runs of the previous byte as (length + 253) for lengths 3...258.
    /// Counts them in `tokenCounts` on the way.
    private mutating func tokenize(_ input: UnsafeBufferPointer<UInt8>) -> Int {
        for i in 0..<tokenCounts.count { tokenCounts[i] = 0 }
        return tokens.withUnsafeMutableBufferPointer { t in
            tokenCounts.withUnsafeMutableBufferPointer { counts in
                var count = 0
                var i = 0
                let n = input.count
                while i < n {
                    let byte = input[i]
                    t[count] = UInt16(byte)
                    counts[Int(byte) | (count & 1) << 9] &+= 1
                    count &+= 1
                    i &+= 1
                    guard i &+ 2 < n, input[i] == byte, input[i &+ 1] == byte, input[i &+ 2] == byte else { continue }
                    var run = 3
                    while i &+ run < n, run < 258, input[i &+ run] == byte { run &+= 1 }
                    let token = run &+ 253
                    t[count] = UInt16(token)
                    counts[token | (count & 1) << 9] &+= 1
                    count &+= 1
                    i &+= run
                }
                return count
            }
        }
    }

    // MARK: RFC 1951 tables

    /// Length symbol (257...285) of each match length 0...258.
    static let lengthSymbol: [Int] = {
        var table = [Int](repeating: 0, count: 259)
        for symbol in 0..<29 {
            let base = Int(baseLength[symbol])
            let top = symbol == 28 ? 258 : Int(baseLength[symbol + 1]) - 1
            for length in base...top where length <= 258 { table[length] = 257 + symbol }
        }
        table[258] = 285
        return table
    }()
    static let baseLength: [UInt16] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
    ]
    static let extraBits: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
}

/// The code-length part of a dynamic block's header (RFC 1951, 3.2.7).
private struct DynamicHeader {
    private static let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    let literalCount: Int
    let distanceCount: Int
    /// (symbol 0...18, extra value) pairs.
    private var runs: [(UInt8, UInt8)] = []
    private let codeLengths: [UInt8]
    private let codes: [UInt16]
    private let codeCount: Int

    init(literalLengths: [UInt8], distanceLengths: [UInt8]) {
        var lit = literalLengths.count
        while lit > 257, literalLengths[lit - 1] == 0 { lit -= 1 }
        var dist = distanceLengths.count
        while dist > 1, distanceLengths[dist - 1] == 0 { dist -= 1 }
        literalCount = lit
        distanceCount = dist
        let all = Array(literalLengths[0..<lit]) + Array(distanceLengths[0..<dist])

        var i = 0
        while i < all.count {
            let value = all[i]
            var run = 1
            while i + run < all.count, all[i + run] == value { run += 1 }
            if value == 0, run >= 3 {
                let taken = min(run, 138)
                runs.append(taken >= 11 ? (18, UInt8(taken - 11)) : (17, UInt8(taken - 3)))
                i += taken
                continue
            }
            runs.append((value, 0))
            i += 1
            var repeats = run - 1
            while repeats >= 3 {
                let taken = min(repeats, 6)
                runs.append((16, UInt8(taken - 3)))
                repeats -= taken
                i += taken
            }
        }
        var frequencies = [UInt32](repeating: 0, count: 19)
        for (symbol, _) in runs { frequencies[Int(symbol)] += 1 }
        codeLengths = Huffman.codeLengths(frequencies, limit: 7)
        codes = Huffman.codes(codeLengths)
        var count = 19
        while count > 4, codeLengths[Self.order[count - 1]] == 0 { count -= 1 }
        codeCount = count
    }

    var bitCount: Int {
        var bits = 5 + 5 + 4 + 3 * codeCount
        for (symbol, _) in runs {
            bits += Int(codeLengths[Int(symbol)]) + (symbol == 16 ? 2 : symbol == 17 ? 3 : symbol == 18 ? 7 : 0)
        }
        return bits
    }

    func write(into writer: inout BitWriter) {
        writer.put(UInt64(literalCount - 257), 5)
        writer.put(UInt64(distanceCount - 1), 5)
        writer.put(UInt64(codeCount - 4), 4)
        for i in 0..<codeCount { writer.put(UInt64(codeLengths[Self.order[i]]), 3) }
        for (symbol, extra) in runs {
            writer.put(UInt64(codes[Int(symbol)]), Int(codeLengths[Int(symbol)]))
            switch symbol {
            case 16: writer.put(UInt64(extra), 2)
            case 17: writer.put(UInt64(extra), 3)
            case 18: writer.put(UInt64(extra), 7)
            default: break
            }
        }
    }
}

/// Length-limited canonical Huffman codes, as deflate wants them.
enum Huffman {
    /// Code lengths for `frequencies`, none longer than `limit`. Every code is
    /// complete: when one symbol alone occurs, a second gets a one-bit code too
    /// (zlib refuses an incomplete code-length code).
    static func codeLengths(_ frequencies: [UInt32], limit: Int) -> [UInt8] {
        var lengths = [UInt8](repeating: 0, count: frequencies.count)
        let used = frequencies.indices.filter { frequencies[$0] > 0 }
        if used.count < 2 {
            let first = used.first ?? 0
            lengths[first] = 1
            lengths[first == 0 ? 1 : 0] = 1
            return lengths
        }
        var weights = used.map { UInt64(frequencies[$0]) }
        while true {
            let depths = treeDepths(weights)
            if depths.max() ?? 0 <= limit {
                for (k, symbol) in used.enumerated() { lengths[symbol] = UInt8(depths[k]) }
                return lengths
            }
            // Flatten the distribution and try again: each round halves the
            // spread, so a code within the limit comes after a few rounds.
            weights = weights.map { ($0 >> 1) | 1 }
        }
    }

    /// The depth of each leaf in a Huffman tree of `weights` (two queues over
    /// the sorted leaves, O(n log n)).
    private static func treeDepths(_ weights: [UInt64]) -> [Int] {
        let n = weights.count
        let order = weights.indices.sorted { weights[$0] < weights[$1] }
        // Nodes 0..<n are leaves in sorted order; n... are internal.
        var weight = order.map { weights[$0] }
        var parent = [Int](repeating: -1, count: 2 * n - 1)
        weight.reserveCapacity(2 * n - 1)
        var leaf = 0, inner = n
        func takeSmallest() -> Int {
            if leaf < n, inner >= weight.count || weight[leaf] <= weight[inner] {
                leaf += 1
                return leaf - 1
            }
            inner += 1
            return inner - 1
        }
        while weight.count < 2 * n - 1 {
            let a = takeSmallest(), b = takeSmallest()
            parent[a] = weight.count
            parent[b] = weight.count
            weight.append(weight[a] + weight[b])
        }
        var depth = [Int](repeating: 0, count: 2 * n - 1)
        for node in stride(from: 2 * n - 3, through: 0, by: -1) { depth[node] = depth[parent[node]] + 1 }
        var result = [Int](repeating: 0, count: n)
        for (rank, original) in order.enumerated() { result[original] = depth[rank] }
        return result
    }

    /// Canonical codes for `lengths`, bit-reversed for deflate's LSB-first stream.
    static func codes(_ lengths: [UInt8]) -> [UInt16] {
        var countPerLength = [Int](repeating: 0, count: 16)
        for length in lengths where length > 0 { countPerLength[Int(length)] += 1 }
        var next = [Int](repeating: 0, count: 16)
        var code = 0
        for bits in 1..<16 {
            code = (code + countPerLength[bits - 1]) << 1
            next[bits] = code
        }
        var codes = [UInt16](repeating: 0, count: lengths.count)
        for (symbol, length) in lengths.enumerated() where length > 0 {
            let value = next[Int(length)]
            next[Int(length)] += 1
            var reversed = 0
            for bit in 0..<Int(length) where value & (1 << bit) != 0 { reversed |= 1 << (Int(length) - 1 - bit) }
            codes[symbol] = UInt16(reversed)
        }
        return codes
    }
}

/// Deflate's bit order: least significant bit first, 32 bits stored at a time.
struct BitWriter {
    private let out: UnsafeMutableBufferPointer<UInt8>
    private(set) var position: Int
    private var buffer: UInt64 = 0
    private var count = 0

    init(_ out: UnsafeMutableBufferPointer<UInt8>, at position: Int, pending: UInt64 = 0, count: Int = 0) {
        self.out = out
        self.position = position
        buffer = pending
        self.count = count
    }

    /// Bits put but not yet stored (fewer than 32), to carry into the next writer.
    var pendingBits: UInt64 { buffer }
    var pendingCount: Int { count }

    /// Appends the low `bits` bits of `value` (at most 32 at a time).
    @inline(__always)
    mutating func put(_ value: UInt64, _ bits: Int) {
        buffer |= value << UInt64(count)
        count &+= bits
        if count >= 32 {
            precondition(position + 4 <= out.count, "deflate output bound exceeded")
            UnsafeMutableRawPointer(out.baseAddress.unsafelyUnwrapped + position)
                .storeBytes(of: UInt32(truncatingIfNeeded: buffer).littleEndian, as: UInt32.self)
            position &+= 4
            buffer >>= 32
            count &-= 32
        }
    }

    /// Pads with zero bits to the next byte boundary and writes what is pending.
    mutating func alignToByte() {
        while count > 0 {
            out[position] = UInt8(truncatingIfNeeded: buffer)
            position += 1
            buffer >>= 8
            count = max(0, count - 8)
        }
        buffer = 0
    }

    /// Whole bytes; the stream must be byte-aligned.
    mutating func putBytes(_ bytes: some Collection<UInt8>) {
        for byte in bytes {
            out[position] = byte
            position += 1
        }
    }
}
