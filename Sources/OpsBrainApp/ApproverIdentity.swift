import Foundation
import OpsBrainPlatform
import OpsBrainPostgres

/// Who is at the keyboard: the OS user, and the client address of an SSH session.
public enum ApproverIdentity {
    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> Approver {
        let address = environment["SSH_CONNECTION"]?.split(separator: " ").first.map(String.init)
            ?? environment["SSH_CLIENT"]?.split(separator: " ").first.map(String.init)
        return Approver(name: UserAccount.currentName, address: address)
    }
}
