/// Why a diagnosis step cannot work on this deployment, found before any alert needs it.
public enum PreflightProblem: String, Sendable, Equatable, CaseIterable {
    /// A table, view, column or function the query names does not exist.
    case missingRelation = "missing_relation"
    /// The metric query is valid but no series answers it (a metric or label this stack does not have).
    case noSeries = "no_series"
    /// The path answers 404 (or 405, 410): the service has no such endpoint.
    case pathNotFound = "path_not_found"
    /// The credentials are refused, or the role lacks a permission.
    case permissionDenied = "permission_denied"
    /// Nothing answers at the target's address.
    case unreachable
    /// The server refused the query itself (a syntax or type error).
    case queryRejected = "query_rejected"
    /// The step could not run for another reason (a missing program, a bad answer); the detail says which.
    case cannotRun = "cannot_run"

    /// A short phrase for listings.
    public var label: String {
        switch self {
        case .missingRelation: return "missing relation"
        case .noSeries: return "no series"
        case .pathNotFound: return "path not found"
        case .permissionDenied: return "permission denied"
        case .unreachable: return "unreachable"
        case .queryRejected: return "query rejected"
        case .cannotRun: return "cannot run"
        }
    }
}

/// One diagnosis step that cannot work on this deployment, with where it is written.
public struct PreflightFinding: Sendable, Equatable, CustomStringConvertible {
    public var sop: String
    public var step: String
    public var file: String
    public var line: Int
    public var problem: PreflightProblem
    public var detail: String

    public init(sop: String, step: String, file: String, line: Int, problem: PreflightProblem, detail: String) {
        self.sop = sop
        self.step = step
        self.file = file
        self.line = line
        self.problem = problem
        self.detail = detail
    }

    /// `file:line: error: SOP name, step 'id': problem: detail`.
    public var description: String { "\(file):\(line): error: SOP \(sop), step '\(step)': \(problem.label): \(detail)" }
}

/// Judges one read-only step's result at preflight: does the step work here at all?
///
/// A failing expectation is not a problem (that is the symptom the SOP exists for); a step that
/// cannot observe anything is. Pure: it reads the step's values and error text only.
public enum PreflightJudgment {
    /// The problem with `result`, with the detail a person needs; nil when the step works here.
    public static func problem(of step: StepSpec, result: StepResult) -> (PreflightProblem, String)? {
        if let error = result.error { return problem(fromError: error, step: step) }
        guard step.type == .http, let status = result.values["status"]?.doubleValue else { return nil }
        switch Int(status) {
        case 0: return (.unreachable, result.values["body"]?.stringValue ?? "no answer")
        case 401, 403: return (.permissionDenied, "HTTP \(Int(status)) at \(step.parameters["path"]?.stringValue ?? "/")")
        case 404, 405, 410: return (.pathNotFound, "HTTP \(Int(status)) at \(step.parameters["path"]?.stringValue ?? "/")")
        default: return nil
        }
    }

    /// SQLSTATE classes and runner messages, mapped to what a person would fix.
    private static func problem(fromError error: String, step: StepSpec) -> (PreflightProblem, String) {
        let sqlState = sqlState(in: error)
        switch sqlState {
        case "42P01", "42703", "42883", "3F000", "3D000": return (.missingRelation, error)
        case "42501", "28000", "28P01": return (.permissionDenied, error)
        case let state? where state.hasPrefix("42"): return (.queryRejected, error)
        default: break
        }
        if step.type == .metric && error.contains("returned no result") { return (.noSeries, error) }
        if step.type == .metric && error.contains("rejected the query") { return (.queryRejected, error) }
        let lowered = error.lowercased()
        if lowered.contains("permission denied") || lowered.contains("authentication failed") { return (.permissionDenied, error) }
        if unreachableWords.contains(where: lowered.contains) { return (.unreachable, error) }
        return (.cannotRun, error)
    }

    /// Phrases libpq, libcurl and the socket runners use when nothing answers.
    private static let unreachableWords = ["cannot connect", "could not connect", "connection refused", "couldn't connect",
                                           "timed out", "timeout", "could not resolve", "no route to host", "unreachable"]

    /// The five characters after `SQLSTATE ` in a PostgreSQL error's text, if any.
    static func sqlState(in text: String) -> String? {
        guard let range = text.range(of: "SQLSTATE ") else { return nil }
        let code = text[range.upperBound...].prefix(5)
        return code.count == 5 ? String(code) : nil
    }
}
