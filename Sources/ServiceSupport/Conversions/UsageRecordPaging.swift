// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Contracts
import Domain

/// Reads a `ListRecords` request the same way for the vendor and the distributor: the file is
/// required, the status filter must be one the API defines, and a page token continues only the
/// list (file and status) it came from.
public enum UsageRecordPaging {
    /// The status filter (nil for all) and the page; INVALID_ARGUMENT with every bad field.
    public static func read(
        _ request: Usageflow_V1_ListUsageRecordsRequest, list: String
    ) throws(DomainError) -> (status: UsageRecordStatus?, paging: ListPaging) {
        var validation = Validation()
        if request.fileId.isEmpty { validation.fail("file_id", "is required") }
        let status = UsageRecordStatus.decode(request.status, field: "status", into: &validation)
        let paging = ListPaging(
            list: list, filters: ["file": request.fileId, "status": "\(request.status.rawValue)"],
            pageSize: request.pageSize, pageToken: request.pageToken, into: &validation)
        try validation.check()
        return (status, paging)
    }
}
