/// Floor and ceiling to `Int` for the per-row and per-column bounds of the
/// drawing loops. On the x86-64 baseline Swift builds for (no SSE4.1),
/// `rounded(.down)` and `rounded(.up)` are calls into libm through the PLT;
/// in the captcha's stroke loops those calls cost about 4% of a render. A
/// truncating conversion and one compare give the same integer.
enum PixelRounding {
    /// ⌊v⌋ for finite v with |v| < 2^62 (callers bound their inputs well below).
    @inline(__always)
    static func floor(_ v: Double) -> Int {
        let t = Int(v)  // towards zero
        return Double(t) > v ? t &- 1 : t
    }

    /// ⌈v⌉ for finite v with |v| < 2^62.
    @inline(__always)
    static func ceil(_ v: Double) -> Int {
        let t = Int(v)
        return Double(t) < v ? t &+ 1 : t
    }
}
