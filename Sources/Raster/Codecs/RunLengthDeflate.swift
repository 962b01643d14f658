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

    /// Runs found in the current block, each `start << 9 | length`: `start`
    /// (< `blockInput`, 18 bits) is the first byte the run covers, `length`
    /// 3...258. Every byte not in a run is a literal.
    private var runs: [UInt32] = []
    private var literalLengths = [UInt32](repeating: 0, count: 286)
    /// Four byte histograms side by side (1,024 counters), so that repeated
    /// bytes do not wait on one counter; summed per block.
    private var byteCounts = [UInt32](repeating: 0, count: 1024)
    /// Runs of each length 0...258 in the current block.
    private var runCounts = [UInt32](repeating: 0, count: 259)
    /// The stream so far, and the bits of its last byte not yet written.
    private var output: [UInt8] = []
    private var pendingBits: UInt64 = 0
    private var pendingCount = 0

    /// `expectedInput`: the bytes that will be appended, to size the output
    /// once (stored blocks' bound) instead of growing it as blocks come.
    init(expectedInput: Int = 0) {
        runs.reserveCapacity(1 << 12)
        output = LargeBuffer.reserved(capacity: Self.bound(expectedInput) + 16)
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
        countSymbols(input)
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

        // Each symbol's whole code in one word, `code | bitCount << 24`: a
        // literal's, or a run's (length code, extra bits, the one-bit distance code).
        let litCodes = Huffman.codes(litLengths)
        var literalCode = [UInt32](repeating: 0, count: 256), runCode = [UInt32](repeating: 0, count: 259)
        for byte in 0..<256 { literalCode[byte] = UInt32(litCodes[byte]) | UInt32(litLengths[byte]) << 24 }
        for length in 3...258 {
            let symbol = Self.lengthSymbol[length]
            let extra = UInt32(Self.extraBits[symbol - 257])
            let extraValue = UInt32(length - Int(Self.baseLength[symbol - 257]))
            let codeBits = UInt32(litLengths[symbol])
            runCode[length] = (UInt32(litCodes[symbol]) | extraValue << codeBits) | (codeBits + extra + 1) << 24
        }
        // The block's size is known (`bits`, header included, under the stored
        // size that `bound` reserves): one room check, then unchecked stores.
        // Up to 4 bytes of earlier bits are pending, and the last byte is partial.
        writer.requireRoom(upTo: writer.position + bits / 8 + 5)
        writer.put(0, 1)
        writer.put(2, 2)  // dynamic Huffman codes
        header.write(into: &writer)
        writer.flushBytes()  // at most 7 bits pending from here on
        literalCode.withUnsafeBufferPointer { literal in
            runCode.withUnsafeBufferPointer { run in
                runs.withUnsafeBufferPointer { runs in
                    var i = 0
                    for packed in runs {
                        let start = Int(packed >> 9), length = Int(packed & 0x1FF)
                        Self.putLiterals(input, from: i, to: start, codes: literal, into: &writer)
                        let code = run[length]
                        writer.add(UInt64(code & 0xFF_FFFF), Int(code >> 24))
                        writer.flushBytes()
                        i = start + length
                    }
                    Self.putLiterals(input, from: i, to: input.count, codes: literal, into: &writer)
                }
            }
        }
        writer.put(UInt64(litCodes[256]), Int(litLengths[256]))
    }

    /// Literal codes of `input[start..<end]`, three between stores: a literal
    /// code has at most 15 bits, and at most 7 are left over from a store.
    @inline(__always)
    private static func putLiterals(
        _ input: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, codes: UnsafeBufferPointer<UInt32>,
        into writer: inout BitWriter
    ) {
        var i = start
        while i &+ 3 <= end {
            let a = codes[Int(input[i])], b = codes[Int(input[i &+ 1])], c = codes[Int(input[i &+ 2])]
            writer.add(UInt64(a & 0xFF_FFFF), Int(a >> 24))
            writer.add(UInt64(b & 0xFF_FFFF), Int(b >> 24))
            writer.add(UInt64(c & 0xFF_FFFF), Int(c >> 24))
            writer.flushBytes()
            i &+= 3
        }
        while i < end {
            let a = codes[Int(input[i])]
            writer.add(UInt64(a & 0xFF_FFFF), Int(a >> 24))
            i &+= 1
        }
        writer.flushBytes()
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

    /// Finds the block's runs and counts its symbols into `literalLengths`.
    private mutating func countSymbols(_ input: UnsafeBufferPointer<UInt8>) {
        Self.findRuns(input, into: &runs)
        for i in 0..<byteCounts.count { byteCounts[i] = 0 }
        for i in 0..<runCounts.count { runCounts[i] = 0 }
        byteCounts.withUnsafeMutableBufferPointer { counts in
            let n = input.count
            var i = 0
            while i &+ 4 <= n {
                counts[Int(input[i])] &+= 1
                counts[256 | Int(input[i &+ 1])] &+= 1
                counts[512 | Int(input[i &+ 2])] &+= 1
                counts[768 | Int(input[i &+ 3])] &+= 1
                i &+= 4
            }
            while i < n {
                counts[Int(input[i])] &+= 1
                i &+= 1
            }
        }
        for i in 0..<256 { literalLengths[i] = byteCounts[i] &+ byteCounts[256 + i] &+ byteCounts[512 + i] &+ byteCounts[768 + i] }
        for i in 256..<286 { literalLengths[i] = 0 }
        // The bytes a run covers are not literals.
        for packed in runs {
            let start = Int(packed >> 9), length = Int(packed & 0x1FF)
            literalLengths[Int(input[start])] &-= UInt32(length)
            runCounts[length] &+= 1
        }
        for length in 3...258 where runCounts[length] > 0 { literalLengths[Self.lengthSymbol[length]] &+= runCounts[length] }
        literalLengths[256] = 1  // end of block
    }

    /// zlib's `Z_RLE` parse: after each literal, a run of three to 258 more of
    /// the same byte becomes a match at distance 1; the byte after a run is a
    /// literal again. Eight bytes are compared at a time to skip to the next
    /// four equal bytes, since most of a photo has none.
    static func findRuns(_ input: UnsafeBufferPointer<UInt8>, into runs: inout [UInt32]) {
        runs.removeAll(keepingCapacity: true)
        guard let base = input.baseAddress else { return }
        let n = input.count
        let raw = UnsafeRawPointer(base)
        var k = 0  // the next literal
        while true {
            // The first k at or after here with input[k] == input[k + 1...k + 3].
            var found = false
            while k &+ 9 <= n {
                let here = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: k, as: UInt64.self))
                let next = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: k &+ 1, as: UInt64.self))
                let equal = Self.zeroBytes(here ^ next)  // high bit of byte j: input[k + j] == input[k + j + 1]
                let candidates = equal & (equal &>> 8) & (equal &>> 16)  // bytes 0...5 only
                if candidates != 0 {
                    k &+= candidates.trailingZeroBitCount &>> 3
                    found = true
                    break
                }
                k &+= 6
            }
            if !found {
                // The last few bytes, one at a time.
                while k &+ 3 < n, !(base[k] == base[k &+ 1] && base[k] == base[k &+ 2] && base[k] == base[k &+ 3]) { k &+= 1 }
                if k &+ 3 >= n { return }
            }
            let byte = base[k]
            let start = k &+ 1
            var length = 3
            while start &+ length < n, length < 258, base[start &+ length] == byte { length &+= 1 }
            runs.append(UInt32(start) << 9 | UInt32(length))
            k = start &+ length
        }
    }

    /// The high bit of each byte of `x` that is zero, and no other bit.
    @inline(__always)
    private static func zeroBytes(_ x: UInt64) -> UInt64 {
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((x & low) &+ low) | x | low)
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

/// Deflate's bit order: least significant bit first. `put` stores 32 bits at a
/// time; the hot loops `add` several codes and `flushBytes` once.
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

    /// Stops the program unless the stream may reach `end`: the unchecked
    /// `flushBytes` relies on it (a broken size bound must not write past the
    /// buffer).
    func requireRoom(upTo end: Int) {
        precondition(end + 8 <= out.count, "deflate output bound exceeded")
    }

    /// Appends the low `bits` bits of `value` without storing: at most 56 bits
    /// may be pending at the next `flushBytes`.
    @inline(__always)
    mutating func add(_ value: UInt64, _ bits: Int) {
        buffer |= value &<< UInt64(count)
        count &+= bits
    }

    /// Stores the whole bytes pending as one 8-byte write (the bytes past them
    /// are overwritten later), leaving at most 7 bits. The room was checked by
    /// `requireRoom`.
    @inline(__always)
    mutating func flushBytes() {
        UnsafeMutableRawPointer(out.baseAddress.unsafelyUnwrapped + position)
            .storeBytes(of: buffer.littleEndian, as: UInt64.self)
        let whole = count &>> 3
        position &+= whole
        buffer = buffer &>> UInt64(whole &<< 3)
        count &= 7
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
