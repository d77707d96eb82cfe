import OpsBrainCore

/// Reads the first sample of a Prometheus `/api/v1/query` answer.
enum PrometheusQueryResult {
    /// The number of the first result (vector or scalar), or a failure saying why there is none.
    static func firstValue(of response: HTTPResponse, target: String) throws -> Double {
        let text = response.bodyText(limit: HTTPClient.responseLimit)
        guard let document = try? JSONValue(parsing: text), document.objectValue != nil else {
            throw StepFailure("prometheus target '\(target)' answered HTTP \(response.status) without a JSON query result")
        }
        guard document["status"]?.stringValue == "success" else {
            let kind = document["errorType"]?.stringValue ?? "error"
            let message = document["error"]?.stringValue ?? "no message"
            throw StepFailure("prometheus target '\(target)' rejected the query (HTTP \(response.status), \(kind): \(message))")
        }
        let data = document["data"]
        let sample: JSONValue?
        switch data?["resultType"]?.stringValue {
        case "vector": sample = data?["result"]?.arrayValue?.first?["value"]
        case "scalar": sample = data?["result"]
        case let other:
            throw StepFailure("prometheus target '\(target)': a \(other ?? "missing") result type has no single value")
        }
        guard let sample else { throw StepFailure("prometheus target '\(target)': the query returned no result") }
        guard let pair = sample.arrayValue, pair.count == 2, let text = pair[1].stringValue, let value = Double(text) else {
            throw StepFailure("prometheus target '\(target)': unreadable sample \(sample.jsonText)")
        }
        guard value.isFinite else { throw StepFailure("prometheus target '\(target)': the query's value is \(text)") }
        return value
    }
}
