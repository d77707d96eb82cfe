import Foundation
import OpsBrainCore

/// One deleted key as `DUMP` and `PTTL` saw it, enough for `RESTORE key ttl payload REPLACE`.
struct RedisKeySnapshot: Sendable, Equatable {
    var key: [UInt8]
    /// Milliseconds the key had left; 0 when it had no expiry (RESTORE's "no TTL").
    var ttlMs: Int64
    /// The DUMP payload (Redis's serialized value).
    var payload: [UInt8]

    /// The snapshot as stored in an operation's `undo`: the key as text (or `key_base64` when it
    /// is not UTF-8), `ttl_ms`, and the payload in base64.
    var json: JSONValue {
        var fields: [String: JSONValue] = [
            "ttl_ms": .number(Double(ttlMs)),
            "payload": .string(Data(payload).base64EncodedString()),
        ]
        if let text = String(validating: key, as: UTF8.self) {
            fields["key"] = .string(text)
        } else {
            fields["key_base64"] = .string(Data(key).base64EncodedString())
        }
        return .object(fields)
    }

    /// Roughly the bytes this snapshot adds to the undo record (base64 payload plus key).
    var undoSize: Int { (payload.count + 2) / 3 * 4 + key.count }

    init(key: [UInt8], ttlMs: Int64, payload: [UInt8]) {
        self.key = key
        self.ttlMs = ttlMs
        self.payload = payload
    }

    /// Reads a snapshot written by `json`; nil when the value is not one.
    init?(json: JSONValue) {
        guard let payloadText = json["payload"]?.stringValue, let payload = Data(base64Encoded: payloadText),
              let ttl = json["ttl_ms"]?.doubleValue, ttl >= 0 else { return nil }
        if let text = json["key"]?.stringValue {
            key = Array(text.utf8)
        } else if let encoded = json["key_base64"]?.stringValue, let data = Data(base64Encoded: encoded) {
            key = Array(data)
        } else {
            return nil
        }
        ttlMs = Int64(ttl)
        self.payload = Array(payload)
    }

    /// The key for messages: its text, with invalid UTF-8 replaced.
    var keyText: String { String(decoding: key, as: UTF8.self) }
}
