// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// How large one upload may be (SPEC §3.2): past a limit the file becomes `invalid` with an error
/// detail saying which, and no records are kept, so one upload can never exhaust the server.
public struct UsageLimits: Sendable, Hashable {
    /// The most records one upload may hold.
    public var recordsPerFile: Int
    /// The most bytes one uploaded CSV or XLSX file may have; enforced where the bytes arrive.
    public var bytesPerUpload: Int

    public init(recordsPerFile: Int = 1_000_000, bytesPerUpload: Int = 256 * 1024 * 1024) {
        self.recordsPerFile = recordsPerFile
        self.bytesPerUpload = bytesPerUpload
    }

    public static let `default` = UsageLimits()

    /// The error detail of a file whose upload had more than `recordsPerFile` records.
    public var recordsExceededDetail: String {
        "the upload has more than \(recordsPerFile) records, the most one usage file may hold; split it into "
            + "several files"
    }

    /// The error detail of a file whose upload had more than `bytesPerUpload` bytes.
    public var bytesExceededDetail: String {
        "the upload is larger than \(bytesPerUpload) bytes, the most one usage file upload may have; split it "
            + "into several files"
    }
}
