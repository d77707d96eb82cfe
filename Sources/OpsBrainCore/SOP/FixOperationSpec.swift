/// One fix step of an SOP: a registered operation, when it applies, and its parameters.
public struct FixOperationSpec: Sendable, Equatable {
    public var id: String
    public var name: String
    public var operation: OperationType
    /// When the step applies; nil means always.
    public var when: Condition?
    /// A class the file raises this step to (never lowers).
    public var declaredClass: OperationClass
    /// The file acknowledges that this step always waits for a human.
    public var approvalRequired: Bool
    public var timeout: Duration
    public var parameters: [String: JSONValue]

    public init(id: String, name: String, operation: OperationType, when: Condition? = nil,
                declaredClass: OperationClass = .routine, approvalRequired: Bool = false,
                timeout: Duration = .seconds(30), parameters: [String: JSONValue] = [:]) {
        self.id = id
        self.name = name
        self.operation = operation
        self.when = when
        self.declaredClass = declaredClass
        self.approvalRequired = approvalRequired
        self.timeout = timeout
        self.parameters = parameters
    }

    /// The named target (or statement), when the step acts on one.
    public var target: String? { parameters["target"]?.stringValue ?? parameters["statement"]?.stringValue }

    /// The highest of the operation's built-in class, the file's class and the target's class.
    public func effectiveClass(targets: [String: TargetDefinition]) -> OperationClass {
        let targetClass = target.flatMap { targets[$0]?.operationClass } ?? .routine
        return [operation.descriptor.builtInClass, declaredClass, targetClass].max()!
    }
}
