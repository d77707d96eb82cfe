/// The engine process running inside the console: how the UI starts it and stops it.
///
/// The executable builds it from the engine-process assembly, so the console's engine is the same
/// group of services as `opsbrain engine` (intake aside); the console only starts and stops it.
public struct LocalEngine: Sendable {
    /// Starts the engine; `finished` is called once when it stops, with the reason when it failed.
    public var start: @Sendable (_ finished: @escaping @Sendable (_ failure: String?) -> Void) -> Void
    /// Asks the engine to stop gracefully and waits up to `timeout`; false when it did not finish in time.
    public var stop: @Sendable (_ timeout: Duration) -> Bool

    public init(start: @escaping @Sendable (_ finished: @escaping @Sendable (_ failure: String?) -> Void) -> Void,
                stop: @escaping @Sendable (_ timeout: Duration) -> Bool) {
        self.start = start
        self.stop = stop
    }
}
