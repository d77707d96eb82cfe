import Foundation
import OpsBrainCore

/// The silence Ops Brain asks Alertmanager for: equality matchers, how long, why and by whom. An
/// `alertmanager_silence` operation reads it from its parameters; a person's silence of an alert
/// (`AlertmanagerSilencer`) gives it whole.
struct AlertmanagerSilence: Sendable, Equatable {
    var matchers: [String: String]
    var duration: Duration
    var comment: String
    /// Who Alertmanager shows as the silence's author.
    var createdBy = "opsbrain"

    /// Reads `matchers`, `duration` and `comment` from the operation, defaulting to the alert's labels.
    init(_ operation: FixOperationSpec, context: StepContext) throws {
        matchers = try Self.matchers(operation.parameters["matchers"], labels: context.alert.labels)
        duration = try Self.duration(operation.parameters["duration"])
        let given = operation.parameters["comment"]?.stringValue ?? ""
        comment = given.isEmpty
            ? "Ops Brain: \(context.alert.title) (execution \(context.executionID.uuidString.lowercased()))" : given
    }

    init(matchers: [String: String], duration: Duration, comment: String, createdBy: String) {
        self.matchers = matchers
        self.duration = duration
        self.comment = comment
        self.createdBy = createdBy
    }

    /// The `POST /api/v2/silences` body for a silence from `start` to `start + duration`.
    func body(startingAt start: Date) -> JSONValue {
        .object([
            "matchers": .array(matchers.keys.sorted().map { name in
                .object(["name": .string(name), "value": .string(matchers[name]!),
                         "isRegex": .bool(false), "isEqual": .bool(true)])
            }),
            "startsAt": .string(Self.timestamp(start)),
            "endsAt": .string(Self.timestamp(end(from: start))),
            "createdBy": .string(createdBy),
            "comment": .string(comment),
        ])
    }

    /// When a silence starting at `start` ends.
    func end(from start: Date) -> Date {
        start.addingTimeInterval(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    /// The matchers as Alertmanager shows them: `{alertname="DiskFull", instance="db1"}`.
    var matcherText: String {
        "{" + matchers.keys.sorted().map { "\($0)=\(JSONValue.string(matchers[$0]!).jsonText)" }.joined(separator: ", ") + "}"
    }

    /// The id in Alertmanager's answer to a new silence (`{"silenceID": "…"}`).
    static func silenceID(in response: HTTPResponse) -> String? {
        let text = response.bodyText(limit: HTTPClient.responseLimit)
        guard let id = (try? JSONValue(parsing: text))?["silenceID"]?.stringValue, isPlainID(id) else { return nil }
        return id
    }

    /// The silence id an earlier `execute` recorded; checked, since it becomes part of a URL path.
    static func silenceID(fromUndo undo: JSONValue) throws -> String {
        guard let id = undo["silence_id"]?.stringValue, isPlainID(id) else {
            throw StepFailure("the undo record has no valid silence_id: \(undo.jsonText)")
        }
        return id
    }

    /// An ISO 8601 UTC time with milliseconds, as Alertmanager's API takes.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    private static func isPlainID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    private static func matchers(_ value: JSONValue?, labels: [String: String]) throws -> [String: String] {
        guard let value else {
            guard !labels.isEmpty else { throw StepFailure("no matchers given and the alert has no labels to match") }
            return labels
        }
        guard let fields = value.objectValue, !fields.isEmpty else { throw StepFailure("matchers must be a non-empty mapping") }
        return try fields.mapValues { item in
            if let text = item.stringValue { return text }
            if item.isNumber { return item.jsonText }
            throw StepFailure("matcher values must be strings or numbers, not \(item.jsonText)")
        }
    }

    private static func duration(_ value: JSONValue?) throws -> Duration {
        let parsed = value?.stringValue.flatMap(DurationSyntax.parse) ?? value?.doubleValue.map { .milliseconds(Int64($0 * 1000)) }
        guard let parsed, parsed > .zero else { throw StepFailure("duration must be a positive duration (like 30m or 2h)") }
        return parsed
    }
}
