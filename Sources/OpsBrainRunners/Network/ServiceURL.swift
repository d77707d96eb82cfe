import OpsBrainCore

/// The parts of a `scheme://[user[:password]@]host[:port][/path]` URL that network clients need.
///
/// Parse errors never repeat the URL text, since it may carry a password.
struct ServiceURL: Sendable, Equatable {
    var scheme: String
    var user: String?
    var password: String?
    var host: String
    /// The port written in the URL, or the scheme's default.
    var port: Int
    /// The path without its leading slash, percent-decoded.
    var path: String

    /// Default ports of the schemes targets use.
    static let defaultPorts: [String: Int] = [
        "http": 80, "https": 443, "redis": 6379, "rediss": 6379, "postgres": 5432, "postgresql": 5432,
    ]

    /// Parses `text`; `context` (like "target 'app_cache'") prefixes any error.
    static func parse(_ text: String, context: String) throws -> ServiceURL {
        guard let separator = text.range(of: "://") else {
            throw StepFailure("\(context): the URL has no scheme (expected scheme://host[:port]/...)")
        }
        let scheme = text[..<separator.lowerBound].lowercased()
        let rest = text[separator.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        var user: String?
        var password: String?
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                user = percentDecoded(userInfo[..<colon])
                password = percentDecoded(userInfo[userInfo.index(after: colon)...])
            } else {
                user = percentDecoded(userInfo)
            }
        }
        let (host, writtenPort) = try hostAndPort(authority, context: context)
        guard let port = writtenPort ?? defaultPorts[scheme] else {
            throw StepFailure("\(context): the URL has no port and \(scheme) has no default port")
        }
        let pathPart = rest[authorityEnd...].prefix { $0 != "?" && $0 != "#" }.drop { $0 == "/" }
        return ServiceURL(scheme: scheme, user: user?.isEmpty == true ? nil : user,
                          password: password?.isEmpty == true ? nil : password,
                          host: host, port: port, path: percentDecoded(pathPart))
    }

    /// Splits `host[:port]` or `[v6address][:port]`.
    private static func hostAndPort(_ authority: Substring, context: String) throws -> (String, Int?) {
        var host = authority
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw StepFailure("\(context): the URL has an unterminated [IPv6] host")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        }
        guard !host.isEmpty else { throw StepFailure("\(context): the URL has no host") }
        guard let portText, !portText.isEmpty else { return (String(host), nil) }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw StepFailure("\(context): the URL's port is not a number in 1...65535")
        }
        return (String(host), port)
    }

    /// Decodes `%XX` escapes; malformed escapes are kept as written.
    private static func percentDecoded(_ text: Substring) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), utf8.distance(from: index, to: utf8.endIndex) >= 3,
               let value = UInt8(String(decoding: utf8[utf8.index(after: index)..<utf8.index(index, offsetBy: 3)],
                                        as: UTF8.self), radix: 16) {
                bytes.append(value)
                index = utf8.index(index, offsetBy: 3)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
