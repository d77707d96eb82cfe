import Foundation

/// The sandbox's OAuth access tokens: `sbx.<expiry epoch>.<signature>`, signed with the client
/// secret, so the app can tell a valid token from an expired or forged one without any state.
public enum IntegrationToken {
    /// How long a token issued by the token endpoint lasts.
    public static let lifetime = 3600

    /// A token that expires `lifetime` seconds after `now`.
    public static func issue(secret: String, now: Date = Date(), lifetime: Int = lifetime) -> String {
        let expiry = Int(now.timeIntervalSince1970) + lifetime
        return "sbx.\(expiry).\(signature(expiry: expiry, secret: secret))"
    }

    /// Why `token` is not accepted, or nil when it is.
    public static func problem(with token: String?, secret: String, now: Date = Date()) -> String? {
        guard let token, !token.isEmpty else { return "missing_token" }
        let parts = token.split(separator: ".")
        guard parts.count == 3, parts[0] == "sbx", let expiry = Int(parts[1]),
              parts[2] == signature(expiry: expiry, secret: secret) else { return "invalid_token" }
        return expiry > Int(now.timeIntervalSince1970) ? nil : "token_expired"
    }

    /// FNV-1a over the secret and the expiry: enough to tell tokens apart in a local sandbox.
    private static func signature(expiry: Int, secret: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array("\(secret):\(expiry)".utf8) {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
