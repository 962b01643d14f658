/// Comparison of secrets (digests, MACs, key checks, tokens) in time that
/// depends only on their length, never on where they first differ: the one
/// implementation every module uses.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes; every byte is compared whatever
    /// the first difference. Lengths are not secret: unequal lengths return at once.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
