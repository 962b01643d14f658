#if canImport(Glibc)
import Glibc
#endif

/// Byte arrays the size of a picture (a decoded 12 MP image is 48 MB), backed
/// by transparent huge pages where the kernel offers them on request (Debian's
/// default, `madvise` mode).
///
/// Why: a 12 MP PNG scramble faulted in some 50,000 4 KiB pages, each charged
/// to the memory cgroup one by one, and the block moves walked 16 rows of
/// 16,000 bytes per block, a TLB miss per row. With 2 MiB pages the run took
/// 6,341 page faults instead of 52,047 (`perf stat`) and 15% less time
/// (Benchmarks/README.md). Only buffers of `hugePageThreshold` and more ask.
enum LargeBuffer {
    static let hugePageThreshold = 4 << 20
    private static let hugePageSize = 2 << 20

    /// `count` bytes, all written by `fill`, which returns false when it could
    /// not (the answer is then nil). No zeroing first: `fill` is the first to
    /// touch the pages.
    static func filled(count: Int, _ fill: (UnsafeMutableBufferPointer<UInt8>) -> Bool) -> [UInt8]? {
        var succeeded = false
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            adviseHugePages(buffer)
            succeeded = fill(buffer)
            initialized = succeeded ? count : 0
        }
        return succeeded ? bytes : nil
    }

    /// `count` bytes, all written by `fill`.
    static func written(count: Int, _ fill: (UnsafeMutableBufferPointer<UInt8>) -> Void) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            adviseHugePages(buffer)
            fill(buffer)
            initialized = count
        }
    }

    /// `count` bytes of `value`.
    static func repeating(_ value: UInt8, count: Int) -> [UInt8] {
        written(count: count) { $0.initialize(repeating: value) }
    }

    /// An empty array with room for `capacity` bytes, for a stream appended to
    /// (compressed output whose bound is known).
    static func reserved(capacity: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            adviseHugePages(buffer)
            initialized = 0
        }
    }

    /// Asks for huge pages over the 2 MiB-aligned part of `buffer`, before
    /// anything touches it (a page already faulted in stays small).
    static func adviseHugePages(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        #if os(Linux)
        guard buffer.count >= hugePageThreshold, let base = buffer.baseAddress else { return }
        let start = (UInt(bitPattern: base) + UInt(hugePageSize - 1)) & ~UInt(hugePageSize - 1)
        let end = (UInt(bitPattern: base) + UInt(buffer.count)) & ~UInt(hugePageSize - 1)
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        // Advice only: on a kernel without transparent huge pages this fails
        // and the pages are ordinary ones.
        _ = madvise(aligned, Int(end - start), MADV_HUGEPAGE)
        #endif
    }
}
