// SPDX-License-Identifier: Apache-2.0
// UsageFlow — AuthorizationTests

import Authorization
import Testing

@Suite struct AuthorizationErrorTests {
    @Test("the constructors set the kind and keep the message as given")
    func constructors() {
        let unauthenticated = AuthorizationError.unauthenticated("no key")
        #expect(unauthenticated.kind == .unauthenticated)
        #expect(unauthenticated.message == "no key")
        #expect(unauthenticated == AuthorizationError(kind: .unauthenticated, message: "no key"))

        let denied = AuthorizationError.permissionDenied("wrong kind")
        #expect(denied.kind == .permissionDenied)
        #expect(denied.message == "wrong kind")
        #expect(denied == AuthorizationError(kind: .permissionDenied, message: "wrong kind"))
    }

    @Test("errors are equal only with the same kind and message")
    func equality() {
        #expect(AuthorizationError.unauthenticated("x") != .permissionDenied("x"))
        #expect(AuthorizationError.unauthenticated("x") != .unauthenticated("y"))
        let errors: Set<AuthorizationError> = [.unauthenticated("x"), .unauthenticated("x"), .permissionDenied("x")]
        #expect(errors.count == 2)
    }

    @Test("the description, for logs, leads with the kind")
    func description() {
        #expect(AuthorizationError.unauthenticated("no key").description == "unauthenticated: no key")
        #expect(AuthorizationError.permissionDenied("wrong kind").description == "permissionDenied: wrong kind")
    }
}
