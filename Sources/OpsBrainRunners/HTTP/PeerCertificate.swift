import Foundation
import OpsBrainCore

/// The leaf certificate a TLS server presented, as libcurl's CERTINFO describes it.
public struct PeerCertificate: Sendable, Equatable {
    public var subject: String
    public var issuer: String
    /// The certificate's notAfter.
    public var expiresAt: Date

    /// A certificate description.
    public init(subject: String, issuer: String, expiresAt: Date) {
        self.subject = subject
        self.issuer = issuer
        self.expiresAt = expiresAt
    }

    /// Whole days until expiry, rounded down: negative once the certificate has expired.
    public func daysLeft(now: Date = Date()) -> Int {
        Int((expiresAt.timeIntervalSince(now) / 86_400).rounded(.down))
    }

    /// Reads the certificate from CERTINFO's `Name:value` lines for one certificate.
    ///
    /// The OpenSSL backend writes dates as `ASN1_TIME_print` does: `Mar  5 12:00:00 2025 GMT`.
    static func parse(fields lines: [String]) throws -> PeerCertificate {
        var fields: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        guard let expiry = fields["Expire date"] else {
            throw StepFailure("the certificate info has no expiry date (fields: \(fields.keys.sorted().joined(separator: ", ")))")
        }
        guard let date = parseDate(expiry) else { throw StepFailure("cannot read the certificate's expiry date '\(expiry)'") }
        return PeerCertificate(subject: fields["Subject"] ?? "", issuer: fields["Issuer"] ?? "", expiresAt: date)
    }

    /// `Mon DD HH:MM:SS[.fff] YYYY GMT` in UTC, or nil.
    static func parseDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 5, parts[4] == "GMT", let month = months.firstIndex(of: String(parts[0])),
              let day = Int(parts[1]), let year = Int(parts[3]) else { return nil }
        let clock = parts[2].split(separator: ".")[0].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: year, month: month + 1, day: day,
                                                  hour: clock[0], minute: clock[1], second: clock[2]))
    }
}
