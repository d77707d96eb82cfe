import Foundation

/// The stacks the sandbox can bring up and break.
public enum SandboxProfile: String, CaseIterable, Sendable {
    /// The demo's own app, built beside Ops Brain (sandbox/opsbrain.yaml).
    case sandbox
    /// Stock Debian components and a small Python service, configured only by sandbox/stock/opsbrain.yaml.
    case stock

    /// The stack at its default place.
    public func stack(root: String? = nil) -> any SandboxStack {
        switch self {
        case .sandbox: return SandboxServices(layout: SandboxLayout.load(root: root ?? SandboxLayout.defaultRoot))
        case .stock: return StockServices(layout: StockLayout(root: root ?? StockLayout.defaultRoot))
        }
    }
}

/// One stack of real services: how to start and stop it, what the engine needs to watch it, its
/// users' traffic and the faults that break it.
public protocol SandboxStack: Sendable {
    var profile: SandboxProfile { get }
    /// The engine's config for this stack, relative to the repository's root.
    var configFile: String { get }
    func up(executable: String) throws
    func down(purge: Bool) throws
    func status() -> [(String, Bool)]
    /// The variables the engine needs for `configFile` (secrets, tokens).
    func engineEnvironment() throws -> [String: String]
    /// The fault catalogue, bound to this stack.
    var faults: [Fault] { get }
    /// The requests the stack's users keep making.
    var userRequests: [String] { get }
    /// Where a service's own output goes.
    func serviceLog(_ service: String) -> String
}

extension SandboxServices: SandboxStack {
    public var profile: SandboxProfile { .sandbox }
    public var configFile: String { "sandbox/opsbrain.yaml" }
    public var faults: [Fault] { FaultCatalogue.all(layout) }
    public var userRequests: [String] { SandboxLayout.routes.map { layout.appURL + "/api/\($0)" } }
    public func serviceLog(_ service: String) -> String { layout.serviceLog(service) }
}

extension StockServices: SandboxStack {
    public var profile: SandboxProfile { .stock }
    public var configFile: String { layout.configFile }
    public var faults: [Fault] { StockFaults.all(layout) }
    public var userRequests: [String] { [layout.frontendURL + "/api/orders", layout.frontendURL + "/"] }
    public func serviceLog(_ service: String) -> String { layout.serviceLog(service) }
}
