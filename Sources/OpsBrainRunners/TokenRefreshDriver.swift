import Foundation
import OpsBrainCore

/// `token_refresh`: asks a token endpoint for a new access token (OAuth2 client credentials)
/// and stores it where the application reads it (a Redis key or a file).
///
/// The client secret comes from the target's `credentials_env`; neither it nor the new token
/// ever appears in a plan, summary, detail or log line. Not reversible (the old token may be
/// revoked by the provider), so there is no undo.
public struct TokenRefreshDriver: OperationDriver {
    public var operations: Set<OperationType> { [.tokenRefresh] }
    private let client: HTTPClient

    public init(client: HTTPClient = HTTPClient()) { self.client = client }

    public func plan(_ operation: FixOperationSpec, context: StepContext) throws -> String {
        let target = try context.target(operation.target, kinds: [.token])
        let store = try TokenStore(target, context: context)
        return "POST \(URLText.redacted(target.string("url") ?? "?")) (client credentials from $\(target.string("credentials_env") ?? "?")), "
            + "store the new token in \(store.description)"
    }

    public func execute(_ operation: FixOperationSpec, context: StepContext) -> OperationOutcome {
        do {
            let target = try context.target(operation.target, kinds: [.token])
            let endpoint = try HTTPEndpoint(target, environment: context.environment, client: client)
            let store = try TokenStore(target, context: context)
            let (token, expiresIn) = try fetch(target, endpoint: endpoint, context: context, timeout: operation.timeout)
            try store.save(token, expiresIn: expiresIn, context: context, timeout: operation.timeout)
            return OperationOutcome(succeeded: true,
                                    summary: "refreshed the token of '\(target.name)'" + (expiresIn.map { " (valid \($0) s)" } ?? "")
                                        + " and stored it in \(store.description)",
                                    details: .object(["expires_in": expiresIn.map { .number(Double($0)) } ?? .null,
                                                      "store": .string(store.description)]))
        } catch {
            return .failed("\(error)")
        }
    }

    public func rollback(_ operation: FixOperationSpec, undo: JSONValue, context: StepContext) -> OperationOutcome {
        .failed("a refreshed token cannot be put back")
    }

    private func fetch(_ target: TargetDefinition, endpoint: HTTPEndpoint, context: StepContext,
                       timeout: Duration) throws -> (String, Int?) {
        let secret = try target.resolved("credentials", environment: context.environment)
        let form = "grant_type=client_credentials&client_secret=" + URLText.percentEncoded(secret)
        var headers = endpoint.headers
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Accept"] = "application/json"
        let redactor = SecretRedactor(secrets: [secret] + target.secrets(environment: context.environment))
        let response: HTTPResponse
        do {
            response = try client.send(HTTPRequest(method: "POST", url: endpoint.url(nil), headers: headers, body: Array(form.utf8),
                                                   timeout: timeout, verifyTLS: endpoint.verifyTLS))
        } catch let failure as StepFailure {
            throw StepFailure(redactor.redact("target '\(target.name)': \(failure.message)"))
        }
        guard response.isSuccess else {
            throw StepFailure("target '\(target.name)': the token endpoint answered \(response.status): "
                              + redactor.redact(response.bodyText(limit: 300)))
        }
        guard let json = try? JSONValue(parsing: response.bodyText(limit: 64 * 1024)),
              let token = json["access_token"]?.stringValue, !token.isEmpty else {
            throw StepFailure("target '\(target.name)': the answer holds no access_token")
        }
        return (token, json["expires_in"]?.doubleValue.map { Int($0) })
    }
}

/// Where a refreshed token goes: `store: {type: redis, target, key}` or `{type: file, path}`.
struct TokenStore {
    enum Kind {
        case redis(target: TargetDefinition, key: String)
        case file(path: String)
    }

    let kind: Kind

    init(_ target: TargetDefinition, context: StepContext) throws {
        guard let store = target.fields["store"]?.objectValue else {
            throw StepFailure("target '\(target.name)' has no 'store' (where the new token goes)")
        }
        switch store["type"]?.stringValue {
        case "redis":
            let redis = try context.target(store["target"]?.stringValue, kinds: [.redis])
            guard let key = store["key"]?.stringValue, !key.isEmpty else { throw StepFailure("target '\(target.name)': store.key is missing") }
            kind = .redis(target: redis, key: key)
        case "file":
            guard let path = store["path"]?.stringValue, path.hasPrefix("/") else {
                throw StepFailure("target '\(target.name)': store.path must be an absolute path")
            }
            kind = .file(path: path)
        default:
            throw StepFailure("target '\(target.name)': store.type must be redis or file")
        }
    }

    var description: String {
        switch kind {
        case .redis(let target, let key): return "redis '\(target.name)' key '\(key)'"
        case .file(let path): return "file \(path)"
        }
    }

    func save(_ token: String, expiresIn: Int?, context: StepContext, timeout: Duration) throws {
        switch kind {
        case .redis(let target, let key):
            let client = try RESPClient(url: RedisURL.of(target, environment: context.environment), deadline: .now + timeout)
            _ = try client.command(["SET", key, token] + (expiresIn.map { ["EX", String(max(1, $0))] } ?? []))
        case .file(let path):
            let temporary = path + ".opsbrain-new"
            guard FileManager.default.createFile(atPath: temporary, contents: Data(token.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw StepFailure("cannot write \(temporary)")
            }
            guard rename(temporary, path) == 0 else { throw StepFailure("cannot replace \(path): \(String(cString: strerror(errno)))") }
        }
    }
}
