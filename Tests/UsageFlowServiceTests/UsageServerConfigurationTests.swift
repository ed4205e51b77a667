// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Domain
import Testing
import UsageFlowServer

/// `usageflow serve`'s usage-upload settings: records per file, bytes per upload, spool directory.
@Suite("Server configuration: usage limits")
struct UsageServerConfigurationTests {
    @Test("the defaults are SPEC §3.2's: 1,000,000 records and 256 MiB; the spool is TMPDIR's")
    func defaults() throws {
        let configuration = try UsageFlowConfiguration.parse([], environment: [:])
        #expect(configuration.usageLimits == UsageLimits(recordsPerFile: 1_000_000, bytesPerUpload: 268_435_456))
        #expect(configuration.spoolDirectory == nil)
    }

    @Test("flags set the limits and the spool directory, and win over the environment")
    func flagsAndEnvironment() throws {
        let environment = [
            "USAGEFLOW_MAX_FILE_RECORDS": "5", "USAGEFLOW_MAX_UPLOAD_BYTES": "4096", "USAGEFLOW_SPOOL_DIR": "/env",
        ]
        let fromEnvironment = try UsageFlowConfiguration.parse([], environment: environment)
        #expect(fromEnvironment.usageLimits == UsageLimits(recordsPerFile: 5, bytesPerUpload: 4096))
        #expect(fromEnvironment.spoolDirectory == "/env")
        let fromFlags = try UsageFlowConfiguration.parse(
            ["--max-file-records", "10", "--max-upload-bytes=2048", "--spool-dir", "/flag"], environment: environment)
        #expect(fromFlags.usageLimits == UsageLimits(recordsPerFile: 10, bytesPerUpload: 2048))
        #expect(fromFlags.spoolDirectory == "/flag")
    }

    @Test(
        "bad limits are errors naming the flag or variable",
        arguments: [
            (["--max-file-records", "0"], [:], "--max-file-records"),
            (["--max-file-records", "1e6"], [:], "--max-file-records"),
            (["--max-upload-bytes", "-1"], [:], "--max-upload-bytes"),
            ([], ["USAGEFLOW_MAX_UPLOAD_BYTES": "lots"], "USAGEFLOW_MAX_UPLOAD_BYTES"),
            ([], ["USAGEFLOW_MAX_FILE_RECORDS": "100000001"], "USAGEFLOW_MAX_FILE_RECORDS"),
            (["--spool-dir", ""], [:], "--spool-dir"),
        ] as [([String], [String: String], String)])
    func badValues(_ arguments: [String], _ environment: [String: String], _ flag: String) {
        #expect {
            _ = try UsageFlowConfiguration.parse(arguments, environment: environment)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.kind == .invalidValue && error.flag == flag
        }
    }

    @Test("the usage text names the usage flags")
    func usageText() {
        for flag in ["--max-file-records", "--max-upload-bytes", "--spool-dir"] {
            #expect(UsageFlowConfiguration.usage.contains(flag), "\(flag)")
        }
    }
}
