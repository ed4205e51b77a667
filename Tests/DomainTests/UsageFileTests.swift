// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain tests

import Domain
import Testing

@Suite("Usage file state machine")
struct UsageFileTests {
    static let time = Timestamp(secondsSinceEpoch: 1_767_225_600)
    static let later = Timestamp(secondsSinceEpoch: 1_767_225_700)

    static func file(_ status: UsageFileStatus) -> UsageFile {
        UsageFile(
            id: "UF-2026-01-0000-0001", vendorID: "VA-000-001", distributorID: "PA-000-001",
            productID: "PRD-000-000-001", contractID: "CRD-00000-00000-00001", marketplaceID: "MP-00001",
            currency: "EUR", schema: .qt, environment: .production, name: "January",
            periodFrom: CivilDate(year: 2026, month: 1, day: 1)!, periodTo: CivilDate(year: 2026, month: 1, day: 31)!,
            status: status, history: [StatusChange(from: "", to: status.rawValue, at: time, actor: "VA-000-001")],
            createdAt: time, updatedAt: time)
    }

    /// Every transition with the states it is allowed from.
    enum Action: String, CaseIterable, CustomTestStringConvertible {
        case beginUpload, beginProcessing, finishProcessing, abandonUpload, submit, accept, reject, close, delete

        var testDescription: String { rawValue }

        var allowed: Set<UsageFileStatus> {
            switch self {
            case .beginUpload: [.draft, .invalid, .ready, .rejected]
            case .beginProcessing: [.uploading]
            case .finishProcessing: [.processing]
            case .abandonUpload: []  // needs an upload in its history; tested on its own
            case .submit: [.ready]
            case .accept, .reject: [.pending]
            case .close: [.accepted]
            case .delete: [.draft, .invalid, .ready, .rejected]
            }
        }

        func apply(to file: inout UsageFile) throws(DomainError) {
            let time = UsageFileTests.later
            switch self {
            case .beginUpload: try file.beginUpload(at: time, by: "VA-000-001")
            case .beginProcessing: try file.beginProcessing(at: time, by: "VA-000-001")
            case .finishProcessing:
                try file.finishProcessing(
                    counts: UsageFileCounts(uploaded: 1, valid: 1), columns: ["record_id"], errorDetail: "",
                    at: time, by: "VA-000-001")
            case .abandonUpload: try file.abandonUpload(at: time, by: "system", reason: "restart")
            case .submit: try file.submit(at: time, by: "VA-000-001")
            case .accept: try file.accept(note: "fine", at: time, by: "PA-000-001")
            case .reject: try file.reject(note: "wrong month", at: time, by: "PA-000-001")
            case .close: try file.close(at: time, by: "PA-000-001")
            case .delete: try file.delete(at: time, by: "VA-000-001")
            }
        }
    }

    static let cases: [(Action, UsageFileStatus)] = Action.allCases.flatMap { action in
        UsageFileStatus.allCases.map { (action, $0) }
    }

    @Test("each transition runs only from its states, and a refusal names the current state", arguments: cases)
    func transitionTable(action: Action, status: UsageFileStatus) {
        var file = Self.file(status)
        let before = file
        do {
            try action.apply(to: &file)
            #expect(action.allowed.contains(status), "\(action) ran from \(status)")
            #expect(file.history.count == before.history.count + 1)
            let change = file.history.last
            #expect(change?.from == status.rawValue)
            #expect(change?.to == file.status.rawValue)
            #expect(change?.at == Self.later)
            #expect(file.updatedAt == Self.later)
        } catch {
            #expect(!action.allowed.contains(status), "\(action) refused from \(status): \(error)")
            #expect(error.kind == .failedPrecondition)
            #expect(error.message.contains("is \(status.rawValue)"), "\(error.message)")
            #expect(file == before, "a refused transition changes nothing")
        }
    }

    @Test("the whole life: upload, process, submit, accept, close, with every actor recorded")
    func happyPath() throws {
        var file = Self.file(.draft)
        try file.beginUpload(at: Self.later, by: "VA-000-001")
        try file.beginProcessing(at: Self.later, by: "VA-000-001")
        try file.finishProcessing(
            counts: UsageFileCounts(uploaded: 3, valid: 3), columns: ["record_id", "quantity"], errorDetail: "",
            at: Self.later, by: "VA-000-001")
        #expect(file.status == .ready)
        try file.submit(at: Self.later, by: "VA-000-001")
        #expect(file.isVisibleToDistributor)
        try file.accept(note: "ok", at: Self.later, by: "PA-000-001")
        #expect(file.counts == UsageFileCounts(uploaded: 3, valid: 0, approved: 3))
        #expect(file.acceptanceNote == "ok")
        try file.close(at: Self.later, by: "PA-000-001")
        #expect(file.history.map(\.to) == ["draft", "uploading", "processing", "ready", "pending", "accepted", "closed"])
        #expect(file.history.map(\.actor) == [
            "VA-000-001", "VA-000-001", "VA-000-001", "VA-000-001", "VA-000-001", "PA-000-001", "PA-000-001",
        ])
        #expect(file.history.last?.from == "accepted")
    }

    @Test("an invalid record or a file-level error makes the file invalid")
    func invalidOutcomes() throws {
        var withInvalid = Self.file(.processing)
        try withInvalid.finishProcessing(
            counts: UsageFileCounts(uploaded: 2, valid: 1, invalid: 1), columns: [], errorDetail: "", at: Self.later,
            by: "VA-000-001")
        #expect(withInvalid.status == .invalid)

        var withDetail = Self.file(.processing)
        try withDetail.finishProcessing(
            counts: .zero, columns: [], errorDetail: "too many records", at: Self.later, by: "VA-000-001")
        #expect(withDetail.status == .invalid)
        #expect(withDetail.errorDetail == "too many records")
        #expect(withDetail.history.last?.reason == "too many records")

        var clean = withDetail
        try clean.beginUpload(at: Self.later, by: "VA-000-001")
        try clean.beginProcessing(at: Self.later, by: "VA-000-001")
        try clean.finishProcessing(
            counts: UsageFileCounts(uploaded: 1, valid: 1), columns: [], errorDetail: "", at: Self.later,
            by: "VA-000-001")
        #expect(clean.status == .ready)
        #expect(clean.errorDetail == "", "a clean re-upload clears the old error")
    }

    @Test("an abandoned upload returns to the status it started from", arguments: [
        UsageFileStatus.draft, .invalid, .ready, .rejected,
    ])
    func abandonReturnsToPrevious(start: UsageFileStatus) throws {
        var file = Self.file(start)
        try file.beginUpload(at: Self.later, by: "VA-000-001")
        #expect(file.statusBeforeUpload == start)
        try file.abandonUpload(at: Self.later, by: "VA-000-001", reason: "client went away")
        #expect(file.status == start)

        try file.beginUpload(at: Self.later, by: "VA-000-001")
        try file.beginProcessing(at: Self.later, by: "VA-000-001")
        #expect(file.statusBeforeUpload == start)
        try file.abandonUpload(at: Self.later, by: "system", reason: "restart")
        #expect(file.status == start)
        #expect(file.history.last == StatusChange(
            from: "processing", to: start.rawValue, at: Self.later, actor: "system", reason: "restart"))
        #expect(file.statusBeforeUpload == nil)
    }

    @Test("reject keeps the note and takes the valid records out of the valid count")
    func rejectCounts() throws {
        var file = Self.file(.pending)
        file.counts = UsageFileCounts(uploaded: 4, valid: 4)
        try file.reject(note: "wrong month", at: Self.later, by: "PA-000-001")
        #expect(file.status == .rejected)
        #expect(file.rejectionNote == "wrong month")
        #expect(file.counts == UsageFileCounts(uploaded: 4))
        #expect(file.isVisibleToDistributor, "a rejected production file stays visible to its distributor")
    }

    @Test("distributors see production files from pending on, and preview files never")
    func distributorVisibility() {
        for status in UsageFileStatus.allCases {
            var file = Self.file(status)
            #expect(file.isVisibleToDistributor == [.pending, .accepted, .rejected, .closed].contains(status))
            file.environment = .preview
            #expect(!file.isVisibleToDistributor)
        }
    }

    @Test("only a draft can be edited")
    func editable() {
        for status in UsageFileStatus.allCases {
            let result = Result { () throws(DomainError) in try Self.file(status).checkEditable() }
            if status == .draft {
                #expect((try? result.get()) != nil)
            } else {
                #expect(throws: DomainError.self) { try result.get() }
            }
        }
    }

    @Test("the period runs from 00:00:00 of the first day to 23:59:59 of the last")
    func period() {
        let file = Self.file(.draft)
        #expect(file.periodStart.description == "2026-01-01T00:00:00.000000Z")
        #expect(file.periodEnd.description == "2026-01-31T23:59:59.000000Z")
    }
}

@Suite("Calendar days")
struct CivilDateTests {
    @Test("parses YYYY-MM-DD exactly and refuses days that do not exist", arguments: [
        ("2026-01-31", true), ("2024-02-29", true), ("2026-02-29", false), ("2026-02-30", false),
        ("2026-13-01", false), ("2026-00-10", false), ("0000-01-01", false), ("2026-1-01", false),
        ("2026-01-01T00:00:00Z", false), ("2026/01/01", false), ("", false), ("２０２６-01-01", false),
    ])
    func parsing(text: String, valid: Bool) {
        let date = CivilDate(parsing: text)
        #expect((date != nil) == valid)
        if let date { #expect(date.description == text) }
    }

    @Test("orders by day and converts to and from instants")
    func orderAndInstants() throws {
        let first = try #require(CivilDate(year: 2025, month: 12, day: 31))
        let second = try #require(CivilDate(year: 2026, month: 1, day: 1))
        #expect(first < second)
        #expect(second.startOfDay == Timestamp(secondsSinceEpoch: 1_767_225_600))
        #expect(first.endOfDay.microsecondsSinceEpoch == second.startOfDay.microsecondsSinceEpoch - 1_000_000)
        #expect(CivilDate(second.startOfDay) == second)
        #expect(CivilDate(Timestamp(microsecondsSinceEpoch: second.startOfDay.microsecondsSinceEpoch - 1)) == first)
        #expect(CivilDate(Timestamp(secondsSinceEpoch: -1)) == CivilDate(year: 1969, month: 12, day: 31))
    }
}
