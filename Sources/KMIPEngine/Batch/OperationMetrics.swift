import CoreMetrics
import KMIP

/// Requests by operation and result (`kmipd_operations_total`) and their latency
/// (`kmipd_operation_duration_seconds`), through swift-metrics. Label values are KMIP names in
/// snake case ("get", "item_not_found"); a message that failed before any operation is "none".
enum OperationMetrics {
    static func record(operation: Operation?, reason: ResultReason?, elapsed: Duration) {
        let op = operation.map { snake($0.name) } ?? "none"
        let result = reason.map { snake($0.name) } ?? "success"
        Counter(label: "kmipd_operations_total", dimensions: [("operation", op), ("result", result)]).increment()
        guard operation != nil else { return }
        let (s, atto) = elapsed.components
        Timer(label: "kmipd_operation_duration_seconds", dimensions: [("operation", op)])
            .recordNanoseconds(s &* 1_000_000_000 &+ atto / 1_000_000_000)
    }

    /// "Item Not Found" → "item_not_found".
    static func snake(_ name: String) -> String {
        String(name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}
