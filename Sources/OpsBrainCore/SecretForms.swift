import Foundation

/// The forms in which a secret can show up in someone's text, for `SecretRedactor`.
///
/// A form is a part of the secret whose fragments give it away. For most secrets that is the
/// whole value. An `Authorization` value gives its token (after `Bearer `/`Basic `, any case); a
/// Basic token also the `user:password` it encodes; a `user:password` pair gives its password and
/// its base64 (what a Basic header carries). A URL or a libpq conninfo string gives only the parts
/// that hold the secret: the password, query values named like secrets, token-like path segments
/// (a webhook's). Its scheme, host and port are addresses that every log line names, so fragments
/// of those are not masked; the whole URL still is. Each form comes also JSON-escaped.
enum SecretForms {
    static func forms(of secret: String) -> [String] {
        let sources = parts(of: secret.trimmingCharacters(in: .whitespaces))
        let escaped = sources.map { String(JSONValue.string($0).jsonText.dropFirst().dropLast()) }
        return Array(Set(sources + escaped))
    }

    private static func parts(of secret: String) -> [String] {
        if let token = authorizationToken(secret) { return [token] + (decodedBasic(token).map(pairParts) ?? []) }
        if let scheme = secret.range(of: "://") { return urlParts(String(secret[scheme.upperBound...])) }
        if let password = conninfoPassword(secret) { return [password] }
        if secret.contains(":"), !secret.contains(where: \.isWhitespace) { return pairParts(secret) }
        return [secret]
    }

    /// The token of `Bearer <token>` or `Basic <token>`.
    private static func authorizationToken(_ secret: String) -> String? {
        let lowered = secret.lowercased()
        guard let scheme = ["bearer ", "basic "].first(where: lowered.hasPrefix) else { return nil }
        return secret.dropFirst(scheme.count).trimmingCharacters(in: .whitespaces)
    }

    /// The `user:password` a Basic token encodes, when it is one.
    private static func decodedBasic(_ token: String) -> String? {
        guard let data = Data(base64Encoded: token), let pair = String(data: data, encoding: .utf8), pair.contains(":") else { return nil }
        return pair
    }

    /// A `user:password` pair, its password and its base64.
    private static func pairParts(_ pair: String) -> [String] {
        let password = pair.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).last.map(String.init) ?? ""
        return [pair, password, Data(pair.utf8).base64EncodedString()]
    }

    /// The secret parts of what follows a URL's `scheme://`, read leniently (the URL may be malformed):
    /// the userinfo's password (up to the last `@`, raw and percent-decoded), query values whose names
    /// say they are secret, and path segments that look like tokens.
    private static func urlParts(_ rest: String) -> [String] {
        var parts: [String] = []
        let at = rest.lastIndex(of: "@")
        if let at, let colon = rest[..<at].firstIndex(of: ":") {
            let password = String(rest[rest.index(after: colon)..<at])
            parts += [password, password.removingPercentEncoding ?? password]
        }
        let afterHost = rest[(at.map(rest.index(after:)) ?? rest.startIndex)...].drop { $0 != "/" && $0 != "?" }
        let (path, query) = (afterHost.prefix { $0 != "?" }, afterHost.drop { $0 != "?" }.dropFirst())
        parts += path.split(separator: "/").map(String.init).filter(looksLikeToken)
        for item in query.split(separator: "&") {
            let pair = item.split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2, ["pass", "token", "secret", "key", "sig", "auth"].contains(where: pair[0].lowercased().contains) {
                parts.append(pair[1])
            }
        }
        return parts
    }

    /// The value of `password=` in a libpq conninfo string (quoted or not).
    private static func conninfoPassword(_ secret: String) -> String? {
        guard let key = secret.range(of: "password=") else { return nil }
        let value = secret[key.upperBound...]
        guard value.first == "'" else { return String(value.prefix { !$0.isWhitespace }) }
        return String(value.dropFirst().prefix { $0 != "'" })
    }

    /// Eight characters or more mixing letters and digits: an id or key, not a word like `services`.
    private static func looksLikeToken(_ segment: String) -> Bool {
        segment.count >= 8 && segment.contains(where: \.isLetter) && segment.contains(where: \.isNumber)
    }
}
