import Foundation
public import Hummingbird

/// Who a request comes from, as rate limits and the login throttle count
/// it: the peer's address, or the client named in X-Forwarded-For when (and
/// only when) the peer is a configured proxy. An IPv6 address counts by its
/// /64: one subscriber is usually given a whole /64, and would otherwise get
/// 2^64 fresh budgets.
public enum ClientAddress {
    public static func of(_ request: Request, context: ServerRequestContext, trustedProxies: Set<String>) -> String {
        subject(resolve(peer: context.remoteAddress?.ipAddress ?? "unknown", forwardedFor: request.headers[.xForwardedFor],
                        trustedProxies: trustedProxies))
    }

    /// An IPv4 address as it is; an IPv6 address as its /64 prefix
    /// ("2001:db8:1:2::/64"); an IPv4-mapped IPv6 address as the IPv4 one.
    public static func subject(_ address: String) -> String {
        guard address.contains(":") else { return address }
        var bytes = in6_addr()
        let text = address.hasPrefix("[") && address.hasSuffix("]") ? String(address.dropFirst().dropLast()) : address
        let zoneless = text.split(separator: "%", maxSplits: 1).first.map(String.init) ?? text
        guard inet_pton(AF_INET6, zoneless, &bytes) == 1 else { return address }
        let octets = withUnsafeBytes(of: &bytes) { Array($0) }
        if octets[0..<10].allSatisfy({ $0 == 0 }), octets[10] == 0xff, octets[11] == 0xff {
            return octets[12...].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(octets[$0]) << 8 | UInt16(octets[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }

    public static func resolve(peer: String, forwardedFor: String?, trustedProxies: Set<String>) -> String {
        guard trustedProxies.contains(peer), let forwardedFor else { return peer }
        // Read from the right: the last address not itself a trusted proxy is the client.
        let chain = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return chain.last { !trustedProxies.contains($0) } ?? peer
    }
}

