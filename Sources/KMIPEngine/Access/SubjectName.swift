/// Certificate subjects as text (RFC 4514 / RFC 2253, the form kmipd logs and configures them in).
enum SubjectName {
    /// The attribute type/value pairs of "CN=a\,b,OU=x+O=y", most specific first: split at unescaped
    /// commas and plus signs, escapes undone (hex escapes are left as written).
    static func fields(of name: String) -> [(type: String, value: String)] {
        var out = [(type: String, value: String)]()
        var current = "", escaped = false
        func finish() {
            if let eq = current.firstIndex(of: "=") {
                out.append((String(current[..<eq]).trimmingCharacters(in: .whitespaces),
                            String(current[current.index(after: eq)...]).trimmingCharacters(in: .whitespaces)))
            } else if !current.trimmingCharacters(in: .whitespaces).isEmpty {
                out.append(("", current))  // no type: the caller decides whether that is an error
            }
            current = ""
        }
        for ch in name {
            if escaped { current.append(ch); escaped = false; continue }
            switch ch {
            case "\\": escaped = true
            case ",", "+": finish()
            default: current.append(ch)
            }
        }
        finish()
        return out
    }
}
