// SPDX-License-Identifier: Apache-2.0
// UsageFlow — test support shared by the TLS, transport and end-to-end tests

import Foundation
import TLS

/// Certificates made for this test run with the `openssl` CLI, once per process, in a temporary
/// directory removed at exit.
///
/// - `ca`: the test root (P-256). `other-ca`: an unrelated root.
/// - `server`: P-256 leaf for localhost, 127.0.0.1 and ::1, signed by `ca`.
/// - `server-rsa`: the same names with an RSA-2048 key, for the ECDHE-RSA suites.
/// - `server-chain`: a leaf signed by `intermediate` (itself signed by `ca`); its PEM holds leaf
///   then intermediate.
/// - `client`: clientAuth leaf, CN=test-client, one SPIFFE URI SAN, signed by `ca`.
/// - `rogue-client`: the same shape signed by `other-ca`. `expired-client`: signed by `ca`,
///   already expired. `encrypted`: a passphrase-protected key.
public struct TestCertificates: Sendable {
    public let directory: String

    public static let shared: TestCertificates = {
        do {
            return try TestCertificates.generate()
        } catch {
            fatalError("cannot generate test certificates: \(error)")
        }
    }()

    public static let clientSPIFFEID = "spiffe://usage.internal/recon/distributor/PA-123"

    public func path(_ name: String) -> String { directory + "/" + name }

    /// A file's PEM held in memory.
    public func pem(_ name: String) -> TLSConfiguration.PEM {
        .bytes(bytes(name))
    }

    public func bytes(_ name: String) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path(name)) else {
            fatalError("missing test file \(name)")
        }
        return [UInt8](data)
    }

    /// `openssl x509 -fingerprint -sha256` of a certificate file, as lowercase hex.
    public func openSSLFingerprint(_ name: String) throws -> String {
        let output = try TestCertificates.openssl(["x509", "-in", path(name), "-noout", "-fingerprint", "-sha256"])
        // "sha256 Fingerprint=AB:CD:..."
        let value = output.split(separator: "=", maxSplits: 1).last.map(String.init) ?? ""
        return value.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ":", with: "").lowercased()
    }

    // MARK: - Server and client configurations

    public func serverConfiguration(
        certificate: String = "server",
        clientCertificateVerification: TLSConfiguration.ClientCertificateVerification = .none
    ) -> TLSConfiguration {
        .server(
            certificateChain: pem(certificate + ".pem"),
            privateKey: pem(certificate + ".key"),
            clientCertificateVerification: clientCertificateVerification
        )
    }

    public func clientConfiguration(
        serverName: String = "localhost",
        trusting root: String = "ca",
        certificate: String? = nil
    ) -> TLSConfiguration {
        .client(
            trustRoots: pem(root + ".pem"),
            serverName: serverName,
            certificateChain: certificate.map { pem($0 + ".pem") },
            privateKey: certificate.map { pem($0 + ".key") }
        )
    }

    // MARK: - Generation

    private static func generate() throws -> TestCertificates {
        let directory = NSTemporaryDirectory() + "usageflow-tls-tests-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        generatedDirectory = directory
        atexit { removeGeneratedDirectory() }
        let certificates = TestCertificates(directory: directory)
        try certificates.makeAll()
        return certificates
    }

    private func makeAll() throws {
        try makeRoot("ca", subject: "/O=UsageFlow Test/CN=UsageFlow Test CA")
        try makeRoot("other-ca", subject: "/O=Somebody Else/CN=Other CA")
        let serverExtensions = "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
            + "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n"
        try issue("server", subject: "/O=UsageFlow Test/CN=localhost", by: "ca", extensions: serverExtensions)
        try issue("server-rsa", subject: "/O=UsageFlow Test/CN=localhost", by: "ca", extensions: serverExtensions, rsa: true)
        try issue(
            "intermediate", subject: "/O=UsageFlow Test/CN=UsageFlow Test Intermediate", by: "ca",
            extensions: "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n"
        )
        try issue("server-leaf", subject: "/O=UsageFlow Test/CN=localhost", by: "intermediate", extensions: serverExtensions)
        let chain = bytes("server-leaf.pem") + bytes("intermediate.pem")
        try Data(chain).write(to: URL(fileURLWithPath: path("server-chain.pem")))
        try FileManager.default.copyItem(atPath: path("server-leaf.key"), toPath: path("server-chain.key"))
        let clientExtensions = "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
            + "extendedKeyUsage=clientAuth\nsubjectAltName=URI:\(TestCertificates.clientSPIFFEID)\n"
        try issue("client", subject: "/O=UsageFlow Test/CN=test-client", by: "ca", extensions: clientExtensions)
        try issue("rogue-client", subject: "/O=UsageFlow Test/CN=test-client", by: "other-ca", extensions: clientExtensions)
        try issue("expired-client", subject: "/O=UsageFlow Test/CN=test-client", by: "ca", extensions: clientExtensions, days: -1)
        _ = try TestCertificates.openssl([
            "pkey", "-in", path("client.key"), "-aes256", "-passout", "pass:secret", "-out", path("encrypted.key"),
        ])
    }

    private func makeRoot(_ name: String, subject: String) throws {
        _ = try TestCertificates.openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", path(name + ".key"), "-out", path(name + ".pem"), "-days", "2", "-subj", subject,
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
    }

    private func issue(
        _ name: String, subject: String, by issuer: String, extensions: String, rsa: Bool = false, days: Int = 2
    ) throws {
        let keyOptions = rsa
            ? ["-newkey", "rsa:2048"]
            : ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        _ = try TestCertificates.openssl(
            ["req"] + keyOptions + ["-nodes", "-keyout", path(name + ".key"), "-out", path(name + ".csr"), "-subj", subject]
        )
        try Data(extensions.utf8).write(to: URL(fileURLWithPath: path(name + ".ext")))
        _ = try TestCertificates.openssl([
            "x509", "-req", "-in", path(name + ".csr"), "-CA", path(issuer + ".pem"), "-CAkey", path(issuer + ".key"),
            "-set_serial", String(UInt32.random(in: 1...UInt32.max)), "-out", path(name + ".pem"),
            "-days", String(days), "-extfile", path(name + ".ext"),
        ])
    }

    struct CommandError: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs the `openssl` CLI and returns its standard output.
    public static func openssl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandError(
                description: "openssl \(arguments.joined(separator: " ")) failed: "
                    + String(decoding: errorData, as: UTF8.self)
            )
        }
        return String(decoding: outputData, as: UTF8.self)
    }
}

/// Set once, before `atexit` can run, by the single `TestCertificates.shared` initialization.
nonisolated(unsafe) private var generatedDirectory: String?

private func removeGeneratedDirectory() {
    if let generatedDirectory { try? FileManager.default.removeItem(atPath: generatedDirectory) }
}
