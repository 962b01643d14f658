#if canImport(Glibc)
internal import CMalloc
#endif

/// glibc's malloc gives large freed blocks back to the kernel (munmap, or a
/// trim of the heap top) and maps fresh zeroed pages for the next picture. In a
/// batch of pictures that is most of the kernel time: 3-megapixel JPEG
/// batches took 4,900 page faults a file and a quarter of their CPU time in the
/// kernel, and more of it on two threads than on one (the faults contend in
/// the kernel's memory accounting). Keeping freed memory for the next picture
/// ends that: measured in Benchmarks/README.md.
enum MallocTuning {
    /// For commands that process many pictures one after another; not for
    /// `serve`, whose memory should go back to the system between bursts.
    static func keepFreedMemory() {
        #if canImport(Glibc)
        // Allocations up to 32 MiB (glibc's ceiling) come from the heap, not mmap,
        // and up to 1 GiB of free heap top stays mapped. Peak memory is unchanged;
        // what the peak held is reused instead of being faulted in again.
        _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 1 << 30)
        #endif
    }
}
