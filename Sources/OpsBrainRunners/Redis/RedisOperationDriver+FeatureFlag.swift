import Foundation
import OpsBrainCore

/// `feature_flag`: set a string key, remembering the previous value (or its absence) for rollback.
extension RedisOperationDriver {
    /// GETs the flag's current value, then SETs the new one.
    static func setFlag(_ key: String, to value: String, client: RESPClient, targetName: String) throws -> OperationOutcome {
        let previous = try client.command(["GET", key]).bytes
        try client.command(["SET", key, value])
        var undo: [String: JSONValue] = ["key": .string(key), "previous": .null]
        if let previous {
            if let text = String(validating: previous, as: UTF8.self) {
                undo["previous"] = .string(text)
            } else {
                undo["previous_base64"] = .string(Data(previous).base64EncodedString())
            }
        }
        let before = previous == nil ? "it was unset" : "it was set before"
        return OperationOutcome(
            succeeded: true,
            summary: "Set flag '\(key)' to '\(value)' on redis '\(targetName)' (\(before))",
            details: .object([
                "key": .string(key), "value": .string(value),
                "previous": previous.map { .string(RedisStepRunner.excerpt($0)) } ?? .null,
            ]),
            undo: .object(undo))
    }

    /// Sets the flag back to its previous value, or deletes it when it was unset before.
    static func restoreFlag(undo: JSONValue, client: RESPClient, targetName: String) throws -> OperationOutcome {
        guard let key = undo["key"]?.stringValue else { throw StepFailure("the undo record has no key") }
        let previous: [UInt8]?
        if let text = undo["previous"]?.stringValue {
            previous = Array(text.utf8)
        } else if let encoded = undo["previous_base64"]?.stringValue {
            guard let data = Data(base64Encoded: encoded) else { throw StepFailure("the undo record's previous value is malformed") }
            previous = Array(data)
        } else {
            previous = nil
        }
        if let previous {
            try client.command(bytes: [Array("SET".utf8), Array(key.utf8), previous])
            return OperationOutcome(succeeded: true, summary: "Set flag '\(key)' back to its previous value on redis '\(targetName)'",
                                    details: .object(["key": .string(key), "action": .string("set previous value")]))
        }
        let removed = try client.command(["DEL", key]).integer ?? 0
        return OperationOutcome(succeeded: true, summary: "Deleted flag '\(key)' on redis '\(targetName)' (it was unset before)",
                                details: .object(["key": .string(key), "action": .string("deleted"),
                                                  "removed": .number(Double(removed))]))
    }
}
