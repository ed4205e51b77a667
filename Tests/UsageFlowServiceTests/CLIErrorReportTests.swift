// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Contracts
import Domain
import ProtoWire
import RPCCore
import ServiceSupport
import Testing
import UsageFlowServer
import WellKnownTypes

@Suite("CLI error rendering")
struct CLIErrorReportTests {
    @Test("a status without details is one line with the status name")
    func plain() {
        let text = ErrorReport.render(RPCError(code: .notFound, message: "no product PRD-123-456-789"))
        #expect(text == "error: NOT_FOUND: no product PRD-123-456-789\n")
    }

    @Test("BadRequest field violations follow, one indented line each, in order")
    func violations() {
        let details = ErrorDetails.badRequest(
            code: .invalidArgument, message: "invalid request",
            violations: [
                FieldViolation(field: "name", description: "must not be empty"),
                FieldViolation(field: "capabilities.schema", description: "is required when ppu is on"),
                FieldViolation(field: "", description: "the request as a whole is wrong"),
            ])
        let text = ErrorReport.render(RPCError(code: .invalidArgument, message: "invalid request", statusDetails: details))
        #expect(text == """
            error: INVALID_ARGUMENT: invalid request
              name: must not be empty
              capabilities.schema: is required when ppu is on
              (request): the request as a whole is wrong

            """)
    }

    @Test("a domain error's violations survive the status seam into the report")
    func throughTheSeam() {
        let error = DomainError.invalid([FieldViolation(field: "currency", description: "is not an ISO 4217 code")]).rpcError
        let text = ErrorReport.render(error)
        #expect(text.hasPrefix("error: INVALID_ARGUMENT: "))
        #expect(text.contains("\n  currency: is not an ISO 4217 code\n"))
    }

    @Test("details that do not decode, or of other types, add nothing")
    func otherDetails() {
        #expect(ErrorReport.fieldViolations([0xFF, 0xFF, 0xFF]).isEmpty)
        #expect(ErrorReport.fieldViolations(nil).isEmpty)
        var any = Google_Protobuf_Any()
        any.typeUrl = "type.googleapis.com/google.rpc.ErrorInfo"
        any.value = [0x0A, 0x03, 0x61, 0x62, 0x63]
        var status = Google_Rpc_Status()
        status.code = 9
        status.details = [any]
        let text = ErrorReport.render(
            RPCError(code: .failedPrecondition, message: "item is published", statusDetails: status.serializedBytes()))
        #expect(text == "error: FAILED_PRECONDITION: item is published\n")
    }

    @Test("every status code renders by its canonical name", arguments: 0...16)
    func names(_ raw: Int) {
        let code = Status.Code(rawValue: raw)
        #expect(ErrorReport.render(RPCError(code: code, message: "m")) == "error: \(code.description): m\n")
        #expect(code.description.allSatisfy { $0.isUppercase || $0 == "_" })
    }
}
