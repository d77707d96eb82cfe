/// A built-in monitor from `opsbrain.yaml`: a read-only check run every `period` that raises its
/// alert after `failureThreshold` failures in a row and resolves it after `successThreshold`
/// passes in a row (Kubernetes probe semantics).
public struct ProbeDefinition: Sendable, Equatable {
    /// Unique among the probes; the alert's fingerprint is `probe:<name>`.
    public var name: String
    /// The check: any read-only step type, judged by its `expect`.
    public var check: StepSpec
    /// The check is a Nagios plugin: its exit code is the state and its perfdata become values.
    public var nagios: Bool
    public var period: Duration
    public var failureThreshold: Int
    public var successThreshold: Int
    /// The alert raised when the check keeps failing.
    public var alert: ProbeAlert
    /// The values stored as samples, each with the labels it is stored with; nil stores every
    /// numeric value with the labels `ProbeSampleLabels` derives.
    public var samples: [String: [String: String]]?

    public static let defaultPeriod: Duration = .seconds(10)
    public static let defaultFailureThreshold = 3
    public static let defaultSuccessThreshold = 1

    /// A probe with the defaults of the file format for what is not given.
    public init(name: String, check: StepSpec, nagios: Bool = false, period: Duration = ProbeDefinition.defaultPeriod,
                failureThreshold: Int = ProbeDefinition.defaultFailureThreshold,
                successThreshold: Int = ProbeDefinition.defaultSuccessThreshold,
                alert: ProbeAlert, samples: [String: [String: String]]? = nil) {
        self.name = name
        self.check = check
        self.nagios = nagios
        self.period = period
        self.failureThreshold = failureThreshold
        self.successThreshold = successThreshold
        self.alert = alert
        self.samples = samples
    }

    /// The fingerprint of the alert this probe raises and resolves.
    public var fingerprint: String { ProbeDefinition.fingerprint(of: name) }

    /// `probe:<name>`.
    public static func fingerprint(of name: String) -> String { "probe:" + name }

    /// The probe name in a fingerprint this module made, or nil.
    public static func name(fromFingerprint fingerprint: String) -> String? {
        fingerprint.hasPrefix("probe:") ? String(fingerprint.dropFirst("probe:".count)) : nil
    }

    /// Step types a probe may not use: they observe nothing outside Ops Brain.
    public static let excludedStepTypes: Set<StepType> = [.wait, .rerunAlertCheck]

    /// What a healthy result is when the file gives no `expect`, or nil when the type needs one.
    public static func defaultExpectations(for type: StepType) -> [String: Expectation]? {
        switch type {
        case .http: return ["status": Expectation([.gte(200), .lt(400)])]
        case .tcp: return ["connected": Expectation([.eq(.bool(true))])]
        // A Nagios plugin's exit code 0 is OK; any other state fails the check.
        case .command: return ["exit_code": Expectation([.eq(.number(0))])]
        case .redis: return ["ok": Expectation([.eq(.bool(true))])]
        default: return nil
        }
    }
}

/// The alert a probe raises: its type (which SOPs trigger on), title, severity and labels.
public struct ProbeAlert: Sendable, Equatable {
    public var type: String
    public var title: String
    public var severity: Severity
    /// Labels the alert carries; `probe: <name>` is always added.
    public var labels: [String: String]

    public static let defaultSeverity: Severity = .high

    /// The alert of a probe; `probe: <name>` is added to `labels` when it is raised.
    public init(type: String, title: String, severity: Severity = ProbeAlert.defaultSeverity, labels: [String: String] = [:]) {
        self.type = type
        self.title = title
        self.severity = severity
        self.labels = labels
    }

    /// The title used when the file gives none.
    public static func defaultTitle(probe: String) -> String { "Probe \(probe) is failing" }
}
