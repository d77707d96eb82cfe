import Foundation
import OpsBrainPostgres

extension ConsoleSession {
    /// Tells the other consoles what this one is looking at (when that changed, or every tick to stay
    /// fresh) and reads what they look at, for the "ana is viewing" lines. A read-only console only
    /// reads: it writes nothing, its presence included.
    func beatPresence(force: Bool = false) {
        let subject = state.presenceSubject
        guard !leftPresence, force || subject != lastPresenceSubject else { return }
        lastPresenceSubject = subject
        let (console, person, view, readOnly) = (consoleID, configuration.approver, state.view.rawValue, configuration.readOnly)
        reader.submit { connect in
            do {
                let presence = PresenceRepository(connection: try connect())
                if !readOnly {
                    try presence.beat(console: console, user: person.name, address: person.address, view: view, subject: subject)
                }
                let watchers = try presence.watchersBySubject(excluding: console)
                return { $0.state.watchers = Dictionary(uniqueKeysWithValues: watchers.map { ($0.key.uuidString.lowercased(), $0.value) }) }
            } catch {
                return { $0.readFailed(error, view: nil) }
            }
        }
    }

    /// Takes this console out of the others' "viewing" lines on the way out (the row would go stale
    /// anyway): after the beats already queued on the reader, and no beat after it.
    func leavePresence() {
        leftPresence = true
        let console = consoleID
        reader.submit { connect in
            try? PresenceRepository(connection: try connect()).leave(console: console)
            return { _ in }
        }
        settle(timeout: 2)
    }

    /// Splits presence notes (another console moved) from the data notes the views follow.
    func presenceChanged(in notes: [PostgresNotification]) -> (presence: Bool, data: [PostgresNotification]) {
        let data = notes.filter { $0.channel != PresenceRepository.channel }
        return (data.count < notes.count, data)
    }
}
