// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow

/// How far an upload has come, for standard error: a bar redrawn in place on a terminal, and
/// plain lines at most once a second otherwise, so a log or a CI transcript stays readable.
///
/// Rates are for people to read, not amounts of anything billed, so they are computed in binary
/// floating point; sizes are counted exactly.
struct UploadProgress {
    /// Bytes the upload will send in all, when the size was known beforehand.
    let total: Int?
    /// Whether to redraw a bar (standard error is a terminal) or print lines.
    let interactive: Bool
    /// Where the text goes; standard error in the command, a buffer in tests.
    private let emit: (String) -> Void
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastDrawn: ContinuousClock.Instant?
    private(set) var sent = 0
    private var sendingEnded: ContinuousClock.Instant?
    /// The byte count the last drawing showed, so the end of sending does not repeat a line.
    private var drawnBytes: Int?

    static let barWidth = 30

    init(total: Int?, interactive: Bool, emit: @escaping (String) -> Void) {
        self.total = total
        self.interactive = interactive
        self.emit = emit
        started = clock.now
    }

    /// Counts bytes handed to the connection and redraws when enough time has passed.
    mutating func advance(by count: Int) {
        sent += count
        let now = clock.now
        let interval: Duration = interactive ? .milliseconds(100) : .seconds(1)
        if let lastDrawn, now - lastDrawn < interval { return }
        lastDrawn = now
        draw(now: now)
    }

    /// The last byte has left: draws the complete bar and says the server is processing.
    mutating func finishSending() {
        let now = clock.now
        sendingEnded = now
        if interactive || drawnBytes != sent { draw(now: now) }
        if interactive { emit("\n") }
        emit("processing on the server…\n")
    }

    /// The server answered: how many records it processed and how fast, from the end of sending.
    func finish(records: Int64?, status: String) {
        let now = clock.now
        let processing = now - (sendingEnded ?? started)
        var line = "\(status)"
        if let records {
            line += ": \(records) record\(records == 1 ? "" : "s") in \(Self.seconds(processing))"
            let elapsed = Self.seconds(asDouble: processing)
            if elapsed > 0 { line += " (\(Self.rate(Double(records) / elapsed)) records/s)" }
        }
        line += "; total \(Self.seconds(now - started))\n"
        emit(line)
    }

    private mutating func draw(now: ContinuousClock.Instant) {
        drawnBytes = sent
        let elapsed = Self.seconds(asDouble: now - started)
        let speed = elapsed > 0 ? Double(sent) / elapsed : 0
        emit(interactive ? "\r" + Self.bar(sent: sent, total: total, bytesPerSecond: speed) + "\u{1B}[K"
            : Self.line(sent: sent, total: total, bytesPerSecond: speed) + "\n")
    }

    /// `[##########··········]  50%  1.5 MiB / 3.0 MiB  2.1 MiB/s`, or without a known total,
    /// `1.5 MiB sent  2.1 MiB/s`.
    static func bar(sent: Int, total: Int?, bytesPerSecond: Double) -> String {
        guard let total, total > 0 else { return "\(size(sent)) sent  \(size(Int(bytesPerSecond)))/s" }
        let fraction = min(1, Double(sent) / Double(total))
        let filled = Int(fraction * Double(barWidth))
        let bar = String(repeating: "#", count: filled) + String(repeating: "·", count: barWidth - filled)
        let percent = Int(fraction * 100)
        let percentText = String(repeating: " ", count: 3 - String(percent).count) + "\(percent)%"
        return "[\(bar)] \(percentText)  \(size(sent)) / \(size(total))  \(size(Int(bytesPerSecond)))/s"
    }

    /// `upload: 1.5 MiB of 3.0 MiB (50%), 2.1 MiB/s`: one line for logs.
    static func line(sent: Int, total: Int?, bytesPerSecond: Double) -> String {
        var text = "upload: \(size(sent))"
        if let total, total > 0 {
            text += " of \(size(total)) (\(Int(min(1, Double(sent) / Double(total)) * 100))%)"
        }
        return text + ", \(size(Int(bytesPerSecond)))/s"
    }

    /// Bytes as `812 B`, `12.4 KiB`, `3.0 MiB`, `1.2 GiB`: one decimal past bytes.
    static func size(_ bytes: Int) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        guard bytes >= 1024 else { return "\(bytes) B" }
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return oneDecimal(value) + " " + units[unit]
    }

    /// A rate with no fraction past 100 and one below: `48213`, `12.5`.
    static func rate(_ value: Double) -> String {
        value >= 100 ? "\(Int(value.rounded()))" : oneDecimal(value)
    }

    static func seconds(_ duration: Duration) -> String { oneDecimal(seconds(asDouble: duration)) + " s" }

    static func seconds(asDouble duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// One fractional digit, rounded half up, without Foundation's formatters.
    static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
