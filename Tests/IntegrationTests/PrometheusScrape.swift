/// A `/metrics` answer in Prometheus text format, parsed into metric families (`# TYPE`) and
/// samples, so tests assert on names, types, labels and values rather than on substrings.
struct PrometheusScrape: Sendable {
    struct Sample: Sendable, Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// Metric family name → type (`counter`, `gauge`, `histogram`, …).
    private(set) var types: [String: String] = [:]
    private(set) var samples: [Sample] = []
    /// The text as scraped.
    let text: String

    init(parsing text: String) {
        self.text = text
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count >= 4 { types[String(parts[2])] = String(parts[3]) }
                continue
            }
            if line.hasPrefix("#") || line.isEmpty { continue }
            if let sample = Self.sample(String(line)) { samples.append(sample) }
        }
    }

    /// Samples of `name` whose labels include `labels`.
    func samples(_ name: String, _ labels: [String: String] = [:]) -> [Sample] {
        samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
    }

    /// The value of the one sample of `name` with `labels`, or `nil` when there is none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples(name, labels).first?.value
    }

    /// The sum over the samples of `name` with `labels`.
    func sum(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples(name, labels).reduce(0) { $0 + $1.value }
    }

    /// The label names the samples of `name` carry (the histogram's `le` included).
    func labelNames(_ name: String) -> Set<String> {
        Set(samples(name).flatMap { $0.labels.keys })
    }

    /// The finite bucket bounds of histogram `name`, in ascending order.
    func bucketBounds(_ name: String) -> [Double] {
        Set(samples(name + "_bucket").compactMap { $0.labels["le"].flatMap(Double.init) }.filter(\.isFinite)).sorted()
    }

    /// `name{a="x",b="y"} 1.5` → sample (label values without escapes: ours have none).
    private static func sample(_ line: String) -> Sample? {
        var name = ""
        var labels: [String: String] = [:]
        var rest = Substring(line)
        if let brace = rest.firstIndex(of: "{"), let close = rest.firstIndex(of: "}") {
            name = String(rest[..<brace])
            for pair in rest[rest.index(after: brace)..<close].split(separator: ",") {
                guard let equals = pair.firstIndex(of: "=") else { continue }
                labels[String(pair[..<equals])] = String(pair[pair.index(after: equals)...]).strippingQuotes()
            }
            rest = rest[rest.index(after: close)...]
        } else {
            guard let space = rest.firstIndex(of: " ") else { return nil }
            name = String(rest[..<space])
            rest = rest[space...]
        }
        let fields = rest.split(separator: " ")
        guard let first = fields.first else { return nil }
        let value: Double?
        switch first {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        default: value = Double(first)
        }
        return value.map { Sample(name: name, labels: labels, value: $0) }
    }
}

extension String {
    /// The text without surrounding double quotes.
    fileprivate func strippingQuotes() -> String {
        String(drop { $0 == "\"" }.reversed().drop { $0 == "\"" }.reversed())
    }
}
