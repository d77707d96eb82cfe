/// Small, allocation-light helpers for URLs as text: joining, encoding, and masking for display.
public enum URLText {
    /// `base` followed by `path`, with exactly one slash between them; a query in `base`
    /// (an API key in a config URL, say) is kept and comes after the path's own query.
    ///
    /// The path always starts a new path segment, so an SOP's `path` can never change the
    /// host the target names (`@evil.example` stays a path, not a user name).
    public static func join(_ base: String, _ path: String?) -> String {
        guard let path, !path.isEmpty else { return base }
        let parts = base.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var prefix = parts[0].split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        while prefix.hasSuffix("/") { prefix = prefix.dropLast() }
        let joined = String(prefix) + (path.hasPrefix("/") ? path : "/" + path)
        guard parts.count == 2, !parts[1].isEmpty else { return joined }
        return joined + (path.contains("?") ? "&" : "?") + parts[1]
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters, for a query value.
    public static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    /// The URL for messages and plans: no user name or password, every query value masked,
    /// no fragment. `https://u:p@host/x?token=abc` becomes `https://host/x?token=***`.
    public static func redacted(_ url: String) -> String {
        var rest = Substring(url)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var query: Substring?
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var out = String(withoutUserInfo(rest))
        if let query {
            out += "?" + query.split(separator: "&", omittingEmptySubsequences: false).map { pair in
                let name = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                return name + "=***"
            }.joined(separator: "&")
        }
        return out
    }

    /// `scheme://authority/path` with anything up to the last `@` of the authority removed.
    private static func withoutUserInfo(_ url: Substring) -> Substring {
        guard let scheme = url.range(of: "://") else { return url }
        let authorityStart = scheme.upperBound
        let authorityEnd = url[authorityStart...].firstIndex(of: "/") ?? url.endIndex
        guard let at = url[authorityStart..<authorityEnd].lastIndex(of: "@") else { return url }
        return url[..<authorityStart] + url[url.index(after: at)...]
    }
}
