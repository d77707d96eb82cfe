import Foundation
import OpsBrainCore

/// Where to make a TLS handshake for a `tls_expiry` step: a tls target's host and port
/// (default 443), or the host and port of an http target's https URL.
struct TLSAddress: Sendable, Equatable {
    var host: String
    var port: Int
    /// The SNI name when the tls target sets `server_name`.
    var serverName: String?

    init(_ target: TargetDefinition, environment: [String: String]) throws {
        switch target.kind {
        case .tls:
            guard let host = target.string("host"), !host.isEmpty else { throw StepFailure("target '\(target.name)' has no host") }
            self.host = host
            port = target.int("port") ?? 443
            serverName = target.string("server_name")
        case .http:
            let url = try target.resolved("url", environment: environment)
            guard url.lowercased().hasPrefix("https://"), let components = URLComponents(string: url),
                  let host = components.host, !host.isEmpty else {
                throw StepFailure("target '\(target.name)': tls_expiry needs an https:// URL, not \(URLText.redacted(url))")
            }
            self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
            port = components.port ?? 443
            serverName = nil
        default:
            throw StepFailure("target '\(target.name)' is a \(target.kind.rawValue) target; expected tls or http")
        }
        guard (1...65535).contains(port) else { throw StepFailure("target '\(target.name)': port \(port) is out of range") }
    }
}
