// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DomainTests

import Domain
import Synchronization
import Testing

/// Digits from a fixed list, repeated from the start when it runs out, so ids are known in advance.
private final class ScriptedDigitSource: RandomDigitSource {
    private let state: Mutex<(digits: [UInt8], next: Int)>

    init(_ digits: [UInt8]) {
        precondition(!digits.isEmpty)
        state = Mutex((digits, 0))
    }

    /// The digits of the given ids, in order.
    convenience init(ids: [String]) {
        let zero = UInt8(ascii: "0")
        self.init(ids.flatMap { id in id.utf8.filter { (zero...zero + 9).contains($0) }.map { $0 - zero } })
    }

    func nextDigit() -> UInt8 {
        state.withLock { state in
            let digit = state.digits[state.next % state.digits.count]
            state.next += 1
            return digit
        }
    }
}

/// Deterministic pseudo-random digits (SplitMix64).
private final class SeededDigitSource: RandomDigitSource {
    private let state: Mutex<UInt64>

    init(seed: UInt64) { state = Mutex(seed) }

    func nextDigit() -> UInt8 {
        state.withLock { state in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return UInt8((z ^ (z >> 31)) % 10)
        }
    }
}

/// Counts the calls of an `isTaken` check.
private final class Counter: Sendable {
    private let value = Mutex(0)
    func increment() -> Int { value.withLock { $0 += 1; return $0 } }
    var count: Int { value.withLock { $0 } }
}

private struct StoreUnavailable: Error {}

private let randomKinds = IdentifierKind.allCases.filter(\.isRandom)

private func generate(_ generator: IdentifierGenerator, _ kind: IdentifierKind) throws -> String {
    kind.isDated ? try generator.candidate(kind, year: 2025, month: 3) : try generator.candidate(kind)
}

@Suite struct IdentifierKindTests {
    /// Each kind, its format and one well-formed example.
    static let formats: [(IdentifierKind, String, String)] = [
        (.vendor, "VA-ddd-ddd", "VA-123-456"),
        (.distributor, "PA-ddd-ddd", "PA-000-001"),
        (.tierAccount, "TA-d-dddd-dddd-dddd", "TA-1-2345-6789-0123"),
        (.product, "PRD-ddd-ddd-ddd", "PRD-123-456-789"),
        (.item, "PRD-ddd-ddd-ddd-dddd", "PRD-123-456-789-0007"),
        (.itemLocal, "PRD_ddd_ddd_ddd_dddd", "PRD_123_456_789_0007"),
        (.marketplace, "MP-ddddd", "MP-12345"),
        (.distributionContract, "CRD-ddddd-ddddd-ddddd", "CRD-12345-67890-12345"),
        (.listing, "LST-ddd-ddd-ddd", "LST-123-456-789"),
        (.subscription, "AS-dddd-dddd-dddd", "AS-1234-5678-9012"),
        (.usageFile, "UF-yyyy-mm-dddd-dddd", "UF-2025-03-1234-5678"),
        (.usageRecord, "UR-yyyy-mm-dddd-dddd-dddd", "UR-2025-12-1234-5678-9012"),
        (.serviceIdentity, "SI-ddd-ddd", "SI-999-999"),
        (.apiKey, "KEY-dddd-dddd", "KEY-1234-5678"),
        (.reconciliation, "RC-dddd-dddd-dddd", "RC-1234-5678-9012"),
    ]

    @Test func everyKindHasAFormatCase() {
        #expect(Set(Self.formats.map(\.0)) == Set(IdentifierKind.allCases))
    }

    @Test(arguments: formats)
    func matchesItsExampleOnly(kind: IdentifierKind, format: String, example: String) {
        #expect(kind.format == format)
        #expect(format.hasPrefix(kind.prefix))
        #expect(kind.matches(example))
        #expect(kind.matches(Substring(example)))
        #expect(IdentifierKind(matching: example) == kind)
        for other in IdentifierKind.allCases where other != kind {
            #expect(!other.matches(example), "\(other) matched \(example)")
        }
    }

    /// Strings that are almost, but not, an id of the kind.
    static let nearMisses: [(IdentifierKind, String)] = [
        (.vendor, ""),
        (.vendor, "VA"),
        (.vendor, "va-123-456"),
        (.vendor, "Va-123-456"),
        (.vendor, "VA-123-4567"),
        (.vendor, "VA-12-456"),
        (.vendor, "VA-123-456 "),
        (.vendor, " VA-123-456"),
        (.vendor, "VA-123-456\n"),
        (.vendor, "VA-123-456\u{0}"),
        (.vendor, "VA-123_456"),
        (.vendor, "VA123-456"),
        (.vendor, "VA-123-45a"),
        (.vendor, "VA-123--56"),
        (.vendor, "VA-１２３-456"),
        (.vendor, "PA-123-456"),
        (.distributor, "VA-123-456"),
        (.tierAccount, "TA-12-3456-7890-1234"),
        (.tierAccount, "TA-1-2345-6789-012"),
        (.tierAccount, "ta-1-2345-6789-0123"),
        (.product, "PRD-123-456-789-0001"),
        (.product, "PRD-123-456-78"),
        (.item, "PRD-123-456-789"),
        (.item, "PRD-123-456-789-001"),
        (.item, "PRD_123_456_789_0001"),
        (.itemLocal, "PRD_123_456_789-0001"),
        (.itemLocal, "PRD-123-456-789-0001"),
        (.marketplace, "MP-1234"),
        (.marketplace, "MP-123456"),
        (.distributionContract, "CRD-12345-12345-1234"),
        (.listing, "LST-123-456-789 "),
        (.subscription, "AS-1234-1234-123"),
        (.subscription, "AS-1234-1234-1234-1234"),
        (.usageFile, "UF-2025-13-1234-5678"),
        (.usageFile, "UF-2025-00-1234-5678"),
        (.usageFile, "UF-0000-01-1234-5678"),
        (.usageFile, "UF-25-01-1234-5678"),
        (.usageFile, "UF-2025-1-1234-5678"),
        (.usageFile, "UF-1234-5678"),
        (.usageFile, "UR-2025-01-1234-5678"),
        (.usageRecord, "UR-2025-01-1234-5678"),
        (.usageRecord, "UF-2025-01-1234-5678-9012"),
        (.serviceIdentity, "SI-123-456-789"),
        (.apiKey, "KEY-1234-12345"),
        (.apiKey, "key-1234-1234"),
        (.reconciliation, "RC-1234-1234"),
    ]

    @Test(arguments: nearMisses)
    func rejectsNearMisses(kind: IdentifierKind, text: String) {
        #expect(!kind.matches(text))
    }

    @Test func identifiesNothingForGarbage() {
        #expect(IdentifierKind(matching: "") == nil)
        #expect(IdentifierKind(matching: "XX-123-456") == nil)
        #expect(IdentifierKind(matching: "VA-123-456 ") == nil)
    }

    @Test func kindProperties() {
        #expect(IdentifierKind.usageFile.isDated && IdentifierKind.usageRecord.isDated)
        #expect(IdentifierKind.allCases.filter(\.isDated).count == 2)
        #expect(!IdentifierKind.item.isRandom && !IdentifierKind.itemLocal.isRandom)
        #expect(randomKinds.count == IdentifierKind.allCases.count - 2)
        #expect(IdentifierKind.apiKey.description == "API key")
    }
}

@Suite struct IdentifierGeneratorTests {
    @Test(arguments: randomKinds)
    func generatedIdsMatchTheirKindOnly(kind: IdentifierKind) throws {
        let generator = IdentifierGenerator(source: SeededDigitSource(seed: 42))
        for _ in 0..<200 {
            let id = try generate(generator, kind)
            #expect(kind.matches(id), "\(id) is not a \(kind) id")
            #expect(IdentifierKind(matching: id) == kind)
            for other in IdentifierKind.allCases where other != kind {
                #expect(!other.matches(id), "\(other) matched \(id)")
            }
        }
    }

    @Test(arguments: randomKinds)
    func systemSourceMakesWellFormedIds(kind: IdentifierKind) throws {
        let id = try generate(IdentifierGenerator(), kind)
        #expect(kind.matches(id))
    }

    @Test func systemSourceDrawsEveryDigit() {
        let source = SystemRandomDigitSource()
        let digits = (0..<2000).map { _ in source.nextDigit() }
        #expect(digits.allSatisfy { $0 <= 9 })
        #expect(Set(digits).count == 10)
    }

    @Test func seededSourceVariesIds() throws {
        let generator = IdentifierGenerator(source: SeededDigitSource(seed: 7))
        let ids = try (0..<100).map { _ in try generator.candidate(.subscription) }
        #expect(Set(ids).count == 100)
    }

    @Test func scriptedDigitsGiveExactIds() throws {
        let generator = IdentifierGenerator(source: ScriptedDigitSource([1, 2, 3, 4, 5, 6, 7, 8, 9, 0]))
        #expect(try generator.candidate(.vendor) == "VA-123-456")
        #expect(try generator.candidate(.marketplace) == "MP-78901")
        #expect(try generator.candidate(.usageFile, year: 2025, month: 3) == "UF-2025-03-2345-6789")
        #expect(try generator.candidate(.usageRecord, year: 987, month: 11) == "UR-0987-11-0123-4567-8901")
        #expect(try generator.candidate(.tierAccount) == "TA-2-3456-7890-1234")
    }

    @Test func digitsAboveNineAreReduced() throws {
        let generator = IdentifierGenerator(source: ScriptedDigitSource([13]))
        #expect(try generator.candidate(.vendor) == "VA-333-333")
    }

    @Test func retriesTakenIds() throws {
        // The source repeats A twice before B; A is taken.
        let source = ScriptedDigitSource(ids: ["VA-111-111", "VA-111-111", "VA-222-222"])
        let generator = IdentifierGenerator(source: source)
        let calls = Counter()
        let id = try generator.make(.vendor) { candidate in
            _ = calls.increment()
            return candidate == "VA-111-111"
        }
        #expect(id == "VA-222-222")
        #expect(calls.count == 3)
    }

    @Test(arguments: [0, 1, 5, 15])
    func retriesWhileTaken(taken: Int) throws {
        let generator = IdentifierGenerator(source: SeededDigitSource(seed: 1))
        let replay = IdentifierGenerator(source: SeededDigitSource(seed: 1))
        let expected = try (0...taken).map { _ in try replay.candidate(.apiKey) }.last
        let calls = Counter()
        let id = try generator.make(.apiKey) { _ in calls.increment() <= taken }
        #expect(id == expected)
        #expect(calls.count == taken + 1)
    }

    @Test func retriesDatedIds() throws {
        let generator = IdentifierGenerator(source: ScriptedDigitSource(ids: ["1111-1111", "2222-2222"]))
        let id = try generator.make(.usageFile, year: 2024, month: 12) { $0 == "UF-2024-12-1111-1111" }
        #expect(id == "UF-2024-12-2222-2222")
    }

    @Test(arguments: [1, 5, IdentifierGenerator.defaultMaximumAttempts])
    func exhaustionThrows(attempts: Int) throws {
        let generator = IdentifierGenerator(source: SeededDigitSource(seed: 3), maximumAttempts: attempts)
        #expect(generator.maximumAttempts == attempts)
        let calls = Counter()
        let error = try #require(throws: IdentifierError.self) {
            try generator.make(.vendor) { _ in calls.increment() > 0 }
        }
        #expect(error.code == "exhausted")
        #expect(error.message.contains("vendor"))
        #expect(error.message.contains("\(attempts)"))
        #expect(calls.count == attempts)
    }

    @Test func atLeastOneAttempt() throws {
        let generator = IdentifierGenerator(source: SeededDigitSource(seed: 3), maximumAttempts: 0)
        #expect(generator.maximumAttempts == 1)
        #expect(IdentifierKind.listing.matches(try generator.make(.listing) { _ in false }))
    }

    @Test func checkErrorsPropagate() {
        let generator = IdentifierGenerator(source: SeededDigitSource(seed: 3))
        #expect(throws: StoreUnavailable.self) {
            try generator.make(.product) { _ in throw StoreUnavailable() }
        }
    }

    /// Calls that do not fit the kind, and the code.
    static let misuse: [(IdentifierKind, (year: Int, month: Int)?, String)] = [
        (.usageFile, nil, "periodRequired"),
        (.usageRecord, nil, "periodRequired"),
        (.vendor, (2025, 1), "periodNotApplicable"),
        (.item, nil, "notRandom"),
        (.itemLocal, (2025, 1), "notRandom"),
        (.usageFile, (2025, 13), "periodOutOfRange"),
        (.usageFile, (2025, 0), "periodOutOfRange"),
        (.usageRecord, (0, 1), "periodOutOfRange"),
        (.usageRecord, (10_000, 1), "periodOutOfRange"),
    ]

    @Test(arguments: misuse)
    func refusesMisuse(kind: IdentifierKind, period: (year: Int, month: Int)?, code: String) throws {
        let generator = IdentifierGenerator(source: SeededDigitSource(seed: 9))
        let candidateError = try #require(throws: IdentifierError.self) {
            if let period { _ = try generator.candidate(kind, year: period.year, month: period.month) }
            else { _ = try generator.candidate(kind) }
        }
        #expect(candidateError.code == code)
        let makeError = try #require(throws: IdentifierError.self) {
            if let period { _ = try generator.make(kind, year: period.year, month: period.month) { _ in false } }
            else { _ = try generator.make(kind) { _ in false } }
        }
        #expect(makeError.code == code)
    }
}

@Suite struct ItemIdentifierTests {
    static let valid: [(Int, String, String)] = [
        (7, "PRD-123-456-789-0007", "PRD_123_456_789_0007"),
        (1, "PRD-123-456-789-0001", "PRD_123_456_789_0001"),
        (42, "PRD-123-456-789-0042", "PRD_123_456_789_0042"),
        (123, "PRD-123-456-789-0123", "PRD_123_456_789_0123"),
        (9999, "PRD-123-456-789-9999", "PRD_123_456_789_9999"),
    ]

    @Test(arguments: valid)
    func makesItemIDs(sequence: Int, id: String, localID: String) throws {
        let item = try IdentifierGenerator.itemID(product: "PRD-123-456-789", sequence: sequence)
        #expect(item.id == id)
        #expect(item.localID == localID)
        #expect(item.description == id)
        #expect(item.product == "PRD-123-456-789")
        #expect(item.sequence == sequence)
        #expect(IdentifierKind.item.matches(item.id))
        #expect(IdentifierKind.itemLocal.matches(item.localID))
        #expect(ItemIdentifier(parsing: id) == item)
        #expect(ItemIdentifier(parsing: localID) == item)
    }

    @Test(arguments: [0, -1, 10_000, Int.max, Int.min])
    func refusesSequencesOutOfRange(sequence: Int) throws {
        let error = try #require(throws: IdentifierError.self) {
            try IdentifierGenerator.itemID(product: "PRD-123-456-789", sequence: sequence)
        }
        #expect(error.code == "sequenceOutOfRange")
        #expect(error.message.contains("\(sequence)"))
    }

    @Test(arguments: ["PRD-123-456", "prd-123-456-789", "PRD-123-456-789-0001", "PRD-123-456-789 ", "VA-123-456", ""])
    func refusesMalformedProducts(product: String) throws {
        let error = try #require(throws: IdentifierError.self) {
            try ItemIdentifier(product: product, sequence: 1)
        }
        #expect(error.code == "notAProductID")
        #expect(error.message.contains(String(reflecting: product)))
    }

    @Test(arguments: [
        "PRD-123-456-789-0000", "PRD_123_456_789_0000", "PRD-123-456-789", "PRD-123-456-789-00007",
        "PRD_123_456_789-0007", "prd-123-456-789-0007", "PRD-123-456-789-0007 ", "",
    ])
    func parsingRefusesNonItems(text: String) {
        #expect(ItemIdentifier(parsing: text) == nil)
    }
}
