import Foundation
import OpsBrainCore

/// Helpers for connection strings that may hold a password, malformed ones included.
///
/// libpq's own messages about a connection string can echo it: the whole URL (`end of string
/// reached … in URI: "postgresql://u:secret@[::1"`), or a piece of a password it took for a host
/// or a port (`u:p@ss@db` connects to host `ss@db`; `u:pa/ss@db` has port `pa`). So the password is
/// located generously, and anything libpq quotes from there is masked.
public enum ConnectionString {
    /// Hides the password of a URL (`postgresql://user:***@host/db`, a `password=` query setting
    /// too) or of a conninfo `password=` setting.
    public static func redacted(_ conninfo: String) -> String {
        var text = conninfo
        for range in passwordRanges(in: conninfo).reversed() { text.replaceSubrange(range, with: SecretRedactor.mask) }
        return text
    }

    /// `message`, which libpq wrote about `conninfo`, with no part of its password: the string
    /// itself appears redacted, each quoted token taken from inside the password is `***`, and the
    /// password's own text (whole, or any 8 characters of it) is masked wherever it stands.
    public static func scrubbed(_ message: String, conninfo: String) -> String {
        let passwords = passwordRanges(in: conninfo)
        guard !passwords.isEmpty else { return message }
        var text = message.replacingOccurrences(of: conninfo, with: redacted(conninfo))
        for token in quotedTokens(in: text).reversed() where overlapsPassword(String(text[token]), in: conninfo, passwords) {
            text.replaceSubrange(token, with: SecretRedactor.mask)
        }
        return SecretRedactor(secrets: passwords.map { String(conninfo[$0]) }).redact(text)
    }

    /// `token` (a host or port libpq read from `conninfo`), or `***` when it could be a piece of the password.
    static func visible(_ token: String, of conninfo: String) -> String {
        overlapsPassword(token, in: conninfo, passwordRanges(in: conninfo)) ? SecretRedactor.mask : token
    }

    private static func overlapsPassword(_ token: String, in conninfo: String, _ passwords: [Range<String.Index>]) -> Bool {
        guard !token.isEmpty else { return false }
        return conninfo.ranges(of: token).contains { found in passwords.contains { $0.overlaps(found) } }
    }

    /// Where the passwords of `conninfo` are: a URL's userinfo after the first `:` up to the last `@`
    /// of the authority, and every `password=` value (a URL query's or a conninfo setting's).
    static func passwordRanges(in conninfo: String) -> [Range<String.Index>] {
        var ranges: [Range<String.Index>] = []
        if let scheme = conninfo.range(of: "://") {
            let rest = conninfo[scheme.upperBound...]
            let query = rest.firstIndex(of: "?") ?? rest.endIndex
            if let at = rest[..<query].lastIndex(of: "@") ?? rest.lastIndex(of: "@"),
               let colon = rest[..<at].firstIndex(of: ":") {
                ranges.append(conninfo.index(after: colon)..<at)
            }
        }
        ranges += passwordSettingRanges(in: conninfo)
        return merged(ranges.filter { !$0.isEmpty })
    }

    /// The values of `password=` settings: quoted up to the closing quote, otherwise up to the next
    /// `key=` (a password with an unquoted space is still all password) or `&`.
    private static func passwordSettingRanges(in conninfo: String) -> [Range<String.Index>] {
        conninfo.ranges(of: #/(?i)\bpassword\s*=\s*/#).map { key in
            let value = conninfo[key.upperBound...]
            if value.first == "'" {
                let body = value.dropFirst()
                return body.startIndex..<(body.firstIndex(of: "'") ?? body.endIndex)
            }
            let next = value.firstRange(of: #/\s+\w+\s*=|&/#)
            return value.startIndex..<(next?.lowerBound ?? value.endIndex)
        }
    }

    /// `ranges` sorted, with overlapping ones joined.
    private static func merged(_ ranges: [Range<String.Index>]) -> [Range<String.Index>] {
        var result: [Range<String.Index>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, last.upperBound >= range.lowerBound {
                result[result.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                result.append(range)
            }
        }
        return result
    }

    /// The contents of each `"…"` in `text`.
    private static func quotedTokens(in text: String) -> [Range<String.Index>] {
        text.ranges(of: #/"[^"]*"/#).map { text.index(after: $0.lowerBound)..<text.index(before: $0.upperBound) }
    }
}
