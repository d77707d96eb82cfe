import Foundation
import OpsBrainCore
import XCTest

/// Secrets are masked whole and by fragment: a token inside a sentence, runs of 8 or more of its
/// characters, the parts of Authorization values and pairs, and only the secret parts of URLs.
final class SecretRedactorTests: XCTestCase {
    private let token = "S3CR3T-t0k3n-9f8e7d6c5b4a"

    func testTheWholeSecretInsideASentence() {
        let redactor = SecretRedactor(secrets: [token])
        XCTAssertEqual(redactor.redact("token \(token) is not valid"), "token *** is not valid")
        XCTAssertEqual(redactor.redact("\(token)\(token)"), "***", "one mask for one run")
    }

    func testRunsOfEightOrMoreCharactersAreMasked() {
        let redactor = SecretRedactor(secrets: [token])
        XCTAssertEqual(redactor.redact("token S3CR3T-t0 is not valid"), "token *** is not valid", "a prefix")
        XCTAssertEqual(redactor.redact("...9f8e7d6c5b4a expired"), "...*** expired", "a suffix")
        XCTAssertEqual(redactor.redact("got t0k3n-9f8e7 back"), "got *** back", "a middle part")
        XCTAssertEqual(redactor.redact("S3CR3T-t is 8, S3CR3T- is 7"), "*** is 8, S3CR3T- is 7", "seven characters are not a fragment")
        XCTAssertEqual(redactor.redact("no secret here"), "no secret here")
    }

    func testShortSecretsAreMaskedOnlyWholeAndTinyOnesNot() {
        let redactor = SecretRedactor(secrets: ["hunter2", "abc"])
        XCTAssertEqual(redactor.redact("pw hunter2, not hunter"), "pw ***, not hunter")
        XCTAssertEqual(redactor.redact("abc def"), "abc def", "under 4 characters would mangle ordinary text")
    }

    func testBearerAndBasicValuesGiveTheirTokens() {
        let bearer = SecretRedactor(secrets: ["Bearer \(token)"])
        XCTAssertEqual(bearer.redact("upstream said: \(token) unknown"), "upstream said: *** unknown")
        XCTAssertEqual(bearer.redact("BEARER \(token)"), "BEARER ***")
        XCTAssertEqual(bearer.redact("Bearer other-token-1234 is fine"), "Bearer other-token-1234 is fine", "the word Bearer is no secret")
        let basic = SecretRedactor(secrets: ["basic " + Data("ops:correct-horse-7".utf8).base64EncodedString()])
        XCTAssertEqual(basic.redact("bad password correct-horse-7 for ops"), "bad password *** for ops", "the password inside the base64")
        XCTAssertEqual(basic.redact("ops:correct-horse-7"), "***")
    }

    func testAUserPasswordPairGivesItsBase64AndPassword() {
        let redactor = SecretRedactor(secrets: ["admin:pa55w0rd-xyz"])
        let base64 = Data("admin:pa55w0rd-xyz".utf8).base64EncodedString()
        XCTAssertEqual(redactor.redact("Authorization: Basic \(base64)"), "Authorization: Basic ***")
        XCTAssertEqual(redactor.redact("rejected pa55w0rd-xyz"), "rejected ***")
        XCTAssertEqual(redactor.redact("user admin logged in"), "user admin logged in", "the user name alone is not secret")
        XCTAssertEqual(SecretRedactor(secrets: ["ops:hunter2"]).redact("hunter2!"), "***!", "a short password still masked whole")
    }

    func testURLsGiveTheirSecretPartsNotTheirAddresses() {
        let redactor = SecretRedactor(secrets: ["postgresql://app:Pg-s3cret-pw@db-1.internal:5432/appdb?sslmode=require"])
        XCTAssertEqual(redactor.redact("FATAL: password Pg-s3cret for user app"), "FATAL: password *** for user app")
        XCTAssertEqual(redactor.redact("postgresql://db-1.internal:5432 is down"), "postgresql://db-1.internal:5432 is down")
        XCTAssertEqual(redactor.redact("url postgresql://app:Pg-s3cret-pw@db-1.internal:5432/appdb?sslmode=require"), "url ***")
        let webhook = SecretRedactor(secrets: ["https://hooks.slack.com/services/T0ABC1234/B0DEF5678/aBcD1234eFgH5678iJkL"])
        XCTAssertEqual(webhook.redact("posting to B0DEF5678 at hooks.slack.com/services"), "posting to *** at hooks.slack.com/services")
        let keyed = SecretRedactor(secrets: ["https://api.example.com/v1?api_key=K3y-0123456789&region=eu-west-1"])
        XCTAssertEqual(keyed.redact("key K3y-0123456789 refused in eu-west-1"), "key *** refused in eu-west-1")
    }

    func testMalformedURLsAndConninfoGiveTheirPasswords() {
        for (secret, password) in [("postgres://user:pa ss-w0rd@host:badport/db", "pa ss-w0rd"), ("postgresql://u:s3cret-v4lue@[::1", "s3cret-v4lue"),
                                   ("host=db password=c0nninf0-pw user=x", "c0nninf0-pw"), ("password='qu0ted pw' host=db", "qu0ted pw"),
                                   ("postgres://u:p%40ss-w0rd-1@h/d", "p@ss-w0rd-1")] {
            let redactor = SecretRedactor(secrets: [secret])
            XCTAssertEqual(redactor.redact("<\(password)>"), "<***>", secret)
        }
    }

    func testJSONKeysAndValuesAreRedacted() {
        let redactor = SecretRedactor(secrets: [token])
        let value: JSONValue = .object(["error": .string("token S3CR3T-t0k3n is not valid"), "t0k3n-9f8e7d6c": .array([.string(token), .number(1)]),
                                        "nested": .object(["ok": .bool(true)])])
        XCTAssertEqual(redactor.redact(value), .object(["error": .string("token *** is not valid"), "***": .array([.string("***"), .number(1)]),
                                                        "nested": .object(["ok": .bool(true)])]))
        let clash: JSONValue = .object([token: .number(1), "S3CR3T-t0k3n": .number(2)])
        XCTAssertEqual(redactor.redact(clash).objectValue?.keys.sorted(), ["***"], "two keys masked alike do not crash")
    }

    func testNonASCIISecretsAreCutAtCharacters() {
        let redactor = SecretRedactor(secrets: ["pässwörd-ünïcode"])
        let redacted = redactor.redact("says wörd-ünï here")
        XCTAssertEqual(redacted, "says *** here")
        XCTAssertFalse(redacted.contains("\u{FFFD}"))
    }

    func testNoSecretsLeaveTextAlone() {
        XCTAssertEqual(SecretRedactor(secrets: []).redact("anything at all"), "anything at all")
        XCTAssertEqual(SecretRedactor(secrets: ["ab"]).redact(.string("ab")), .string("ab"))
    }
}
