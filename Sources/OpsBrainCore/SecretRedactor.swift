import Foundation

/// Masks known secrets, and every fragment of one, in text and JSON before anything is stored or shown.
///
/// Each secret gives its forms (`SecretForms`): the value, the token after `Bearer `/`Basic `, the
/// base64 of a `user:password` pair, the password of a URL or conninfo string. A form of 8 or more
/// characters is masked wherever any 8 consecutive bytes of it appear, so an upstream that answers
/// "token S3CR3T… is not valid" gives nothing away; a form of 4–7 characters is masked only whole; a
/// secret under 4 characters is ignored (it would mangle ordinary text). Every maximal run of masked
/// text becomes one `***`.
public struct SecretRedactor: Sendable {
    /// What every secret, or run of secret fragments, is replaced with.
    public static let mask = "***"
    /// How many consecutive bytes of a secret give it away.
    static let window = 8

    /// Every 8-byte run of every long form, packed into an integer.
    private let windows: Set<UInt64>
    /// Forms found only whole: the short ones, and whole secrets whose fragments are not all secret (a URL's host).
    private let wholes: [[UInt8]]

    /// The secrets one target reads from `environment`.
    public init(target: TargetDefinition, environment: [String: String]) {
        self.init(secrets: target.secrets(environment: environment))
    }

    /// Secrets shorter than 4 characters are ignored.
    public init(secrets: [String]) {
        var windows = Set<UInt64>()
        var wholes = Set<[UInt8]>()
        for secret in Set(secrets) where secret.count >= 4 {
            for form in SecretForms.forms(of: secret) where form.count >= 4 {
                if form.count >= Self.window { windows.formUnion(Self.windows(of: Array(form.utf8))) } else { wholes.insert(Array(form.utf8)) }
            }
            wholes.insert(Array(secret.utf8))
        }
        self.windows = windows
        self.wholes = wholes.filter { $0.count < Self.window || !Self.windows(of: $0).isSubset(of: windows) }
    }

    /// `text` with every secret and every run of secret fragments replaced by `***`.
    public func redact(_ text: String) -> String {
        guard !windows.isEmpty || !wholes.isEmpty else { return text }
        let bytes = Array(text.utf8)
        var marked = [Bool](repeating: false, count: bytes.count)
        markWindows(in: bytes, &marked)
        for whole in wholes {
            for range in bytes.ranges(of: whole) { Self.mark(range, in: bytes, &marked) }
        }
        guard marked.contains(true) else { return text }
        return Self.masked(bytes, marked)
    }

    /// `value` with every string, key included, redacted.
    public func redact(_ value: JSONValue) -> JSONValue {
        guard !windows.isEmpty || !wholes.isEmpty else { return value }
        switch value {
        case .string(let text): return .string(redact(text))
        case .array(let items): return .array(items.map(redact))
        case .object(let fields):
            return .object(Dictionary(fields.map { (redact($0.key), redact($0.value)) }) { first, _ in first })
        default: return value
        }
    }

    /// Marks each 8-byte run of `bytes` that is a run of some secret.
    private func markWindows(in bytes: [UInt8], _ marked: inout [Bool]) {
        guard !windows.isEmpty else { return }
        Self.forEachWindow(of: bytes) { end, packed in
            if windows.contains(packed) { Self.mark((end - Self.window)..<end, in: bytes, &marked) }
        }
    }

    /// Marks `range`, widened to whole characters so that no UTF-8 sequence is cut in two.
    private static func mark(_ range: Range<Int>, in bytes: [UInt8], _ marked: inout [Bool]) {
        var start = range.lowerBound
        var end = range.upperBound
        while start > 0, bytes[start] & 0xC0 == 0x80 { start -= 1 }
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        for index in start..<end { marked[index] = true }
    }

    /// `bytes` with each maximal marked run replaced by the mask.
    private static func masked(_ bytes: [UInt8], _ marked: [Bool]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated() {
            if !marked[index] { out.append(byte) } else if index == 0 || !marked[index - 1] { out += mask.utf8 }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Every 8-byte run of `bytes`, packed.
    private static func windows(of bytes: [UInt8]) -> Set<UInt64> {
        var result = Set<UInt64>()
        forEachWindow(of: bytes) { _, packed in result.insert(packed) }
        return result
    }

    /// Calls `body` with the end offset and the packed bytes of every 8-byte run of `bytes`.
    private static func forEachWindow(of bytes: [UInt8], _ body: (Int, UInt64) -> Void) {
        var packed: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            packed = packed << 8 | UInt64(byte)
            if index >= window - 1 { body(index + 1, packed) }
        }
    }
}
