#!/usr/bin/env python3
"""Generate Sources/KMIP/Generated/*.swift from the OASIS KMIP specifications.

Reads plain-text renderings of the OASIS KMIP specifications (tables as `| cell | cell |` lines; the
folder is the argument, by default a kmip-spec folder beside this checkout), versions 1.0-2.1, and records for every tag and enumeration value the first version that defines it.
Run: python3 scripts/generate-tables.py [SPEC_DIR]   (the output is checked in).
"""
import os, re, sys

VERSIONS = [((1, 0), "kmip-spec-1.0-os.txt"), ((1, 1), "kmip-spec-v1.1-os.txt"),
            ((1, 2), "kmip-spec-v1.2-os.txt"), ((1, 3), "kmip-spec-v1.3-os.txt"),
            ((1, 4), "kmip-spec-v1.4-os.txt"), ((2, 0), "kmip-spec-v2.0-os.txt"),
            ((2, 1), "kmip-spec-v2.1-os.txt")]

CELL = re.compile(r"^\|(.*)\|\s*$")
HEX8 = re.compile(r"^([0-9A-Fa-f]{8})\b")
HEX6 = re.compile(r"^(?:0x)?(42[0-9A-Fa-f]{4})$")  # 2.1 writes its newest tags with 0x


def region(lines, version):
    """The body of the tag/enumeration/mask sections (the TOC mentions the same headings first)."""
    if version[0] == 1:
        starts = [i for i, l in enumerate(lines) if re.match(r"^9\.1\.3\.1\b", l)]
        end_re = re.compile(r"^(10 |11\.1 )")
    else:
        starts = [i for i, l in enumerate(lines) if l.startswith("11.1 Adjustment Type")]
        end_re = re.compile(r"^13(\s|$)")
    start = starts[-1]
    end = next((i for i in range(start + 1, len(lines)) if end_re.match(lines[i])), len(lines))
    return lines[start:end]


def clean(name):
    name = re.sub(r"\s+", " ", name).strip()
    name = re.sub(r"\s*\((deprecated|reserved)\)\s*$", "", name, flags=re.I)
    return name


def parse(path, version):
    lines = open(path, encoding="utf-8").read().splitlines()
    body = region(lines, version)
    tags, enums = {}, {}
    title = None
    for line in body:
        m = CELL.match(line.strip())
        if not m:
            if line.strip():
                # Prose or a caption ends a table unless it is a wrapped heading line.
                if line.startswith("Table") or re.match(r"^\d+(\.\d+)+", line):
                    title = None
            continue
        cells = [c.strip() for c in m.group(1).split("|")]
        if len(cells) == 1:
            title = clean(cells[0])
            continue
        if len(cells) < 2:
            continue
        name, value = clean(cells[0]), cells[1].strip()
        if name in ("Name", "Value", "Tag") and not (HEX6.match(value) or HEX8.match(value)):
            continue  # a header row; "Name" (420053) and "Tag" (420138) are also real tags
        if not name or name.lower().startswith(("extensions", "(unused)", "(reserved)", "reserved")):
            continue
        t = HEX6.match(value)
        if t:
            tags.setdefault(int(t.group(1), 16), name)
            continue
        e = HEX8.match(value)
        if e and title and title not in ("Tag",):
            enums.setdefault(title, {}).setdefault(int(e.group(1), 16), name)
    return tags, enums


def ident(name, upper_first=False):
    words = [w for w in re.split(r"[^0-9A-Za-z]+", name) if w]
    if not words:
        return "_unnamed"
    out = []
    for i, w in enumerate(words):
        if i == 0 and not upper_first:
            out.append(w.lower() if (w.isupper() or len(w) <= 1) else w[0].lower() + w[1:])
        else:
            out.append(w[0].upper() + w[1:])
    s = "".join(out)
    if s[0].isdigit():
        s = "_" + s
    if s in ("default", "private", "public", "import", "return", "extension", "protocol", "none",
             "self", "init", "in", "is", "as", "for", "if", "else", "true", "false", "operator", "class",
             "continue", "break", "case", "switch", "while", "repeat", "where", "do", "try", "throw",
             "struct", "enum", "func", "var", "let", "static", "internal", "Type", "Self", "nil", "super"):
        s = "`" + s + "`"
    return s


def main():
    spec = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "kmip-spec")
    out_dir = os.path.join(os.path.dirname(__file__), "..", "Sources", "KMIP", "Generated")
    os.makedirs(out_dir, exist_ok=True)
    tag_since, tag_name = {}, {}
    enum_since = {}   # title -> value -> (name, since)
    for version, fname in VERSIONS:
        tags, enums = parse(os.path.join(spec, fname), version)
        for v, n in tags.items():
            tag_since.setdefault(v, version)
            tag_name[v] = n  # later versions win for the name (renames, e.g. "Template" reserved)
        for title, vals in enums.items():
            table = enum_since.setdefault(title, {})
            for v, n in vals.items():
                if v in table:
                    table[v] = (n, table[v][1])
                else:
                    table[v] = (n, version)

    # Which attributes each version defines (the attribute chapter's sections): 1.x only ever added
    # attributes, so 1.4's list with each tag's first version gives every 1.x version's.
    defined = {v: attribute_names(os.path.join(spec, f), v) for v, f in VERSIONS if v in ((1, 4), (2, 0), (2, 1))}

    rules = attribute_rules(os.path.join(spec, "kmip-spec-v1.4-os.txt"), (1, 4))
    rules.update(attribute_rules(os.path.join(spec, "kmip-spec-v2.1-os.txt"), (2, 1)))

    hdr = ("// Generated by scripts/generate-tables.py from the OASIS KMIP specifications 1.0-2.1.\n"
           "// Do not edit by hand: change the generator and run it again.\n\n")
    with open(os.path.join(out_dir, "Tags.swift"), "w") as f:
        f.write(hdr)
        f.write("extension Tag {\n")
        used = set()
        for v in sorted(tag_name):
            i = ident(tag_name[v])
            while i in used:
                i += "_"
            used.add(i)
            f.write(f"    /// {tag_name[v]} (KMIP {tag_since[v][0]}.{tag_since[v][1]})\n")
            f.write(f"    public static let {i} = Tag(0x{v:06X})\n")
        f.write("}\n\n/// Every tag the specifications define: value, spec name, version that introduced it.\n")
        f.write("public enum TagTable {\n    public static let all: [(value: UInt32, name: String, since: ProtocolVersion)] = [\n")
        for v in sorted(tag_name):
            f.write(f"        (0x{v:06X}, {swift_str(tag_name[v])}, ProtocolVersion({tag_since[v][0]}, {tag_since[v][1]})),\n")
        f.write("    ]\n}\n")

    # Each tag's item type, from the structure tables (later versions win: 2.x made Asynchronous
    # Indicator an Enumeration). Tags no table lists (Attribute Value: varies) have none.
    item_type = {}
    for version, fname in VERSIONS:
        item_type.update(item_types(os.path.join(spec, fname)))
    by_name = {n: v for v, n in tag_name.items()}
    with open(os.path.join(out_dir, "TagTypes.swift"), "w") as f:
        f.write(hdr)
        f.write("/// The item type the specifications give each tag in their structure tables (\"Item | Encoding\").\n")
        f.write("public enum TagTypeTable {\n    public static let all: [UInt32: ItemType] = [\n")
        for n in sorted(item_type, key=lambda n: by_name.get(n, 0)):
            if n in by_name:
                f.write(f"        0x{by_name[n]:06X}: .{item_type[n]},  // {n}\n")
        f.write("    ]\n}\n")

    with open(os.path.join(out_dir, "AttributeRuleTable.swift"), "w") as f:
        f.write(hdr)
        f.write("/// The Attribute Rules tables of KMIP 2.1 §4 (and 1.4 §3 for attributes 2.x dropped), read into\n")
        f.write("/// typed rules; the spec's words for each row are kept beside it.\n")
        f.write("public enum AttributeRuleTable {\n    public static let all: [Tag: AttributeRule] = [\n")
        by_name = {n: v for v, n in tag_name.items()}
        for name in sorted(rules):
            r = rules[name]
            if name not in by_name:
                continue  # "Custom Attribute" / "Vendor Attribute": the vendor rules, written by hand
            setters = [s_ for s_, word in (("server", "Server"), ("client", "Client")) if word in r.get("init", "")]
            modify = r.get("modify", "")
            if not modify.startswith("Yes"):
                change = ".never"
            elif "Pre-Active or Active" in modify:
                change = ".whilePreActiveOrActive"
            elif "Pre-Active" in modify:
                change = ".whilePreActive"
            else:
                change = ".always"
            delete = "true" if r.get("delete", "").startswith("Yes") else "false"
            multiple = "true" if r.get("multiple", "").startswith("Yes") else "false"
            words = " / ".join(r.get(k, "") for k in ("init", "modify", "delete", "multiple"))
            f.write(f"        // {name}: {words}\n")
            f.write(f"        Tag(0x{by_name[name]:06X}): AttributeRule(setBy: [{', '.join('.' + x for x in setters)}], clientChanges: {change}, "
                    f"clientDeletes: {delete}, multiValued: {multiple}),\n")
        f.write("    ]\n\n")
        f.write("    /// The attributes each version's attribute chapter defines (1.4 §3 for every 1.x version, with\n")
        f.write("    /// the tag's first version; 2.0 and 2.1 §4). Custom and Vendor Attributes are not tags.\n")
        for v, label in (((1, 4), "v1"), ((2, 0), "v2_0"), ((2, 1), "v2_1")):
            tags = [by_name[n] for n in defined[v] if n in by_name]
            if "Certificate Attributes" in defined[v]:
                # One section defines the certificate's subject and issuer fields as attributes.
                tags += [t for n, t in by_name.items()
                         if re.match(r"^Certificate (Subject|Issuer) (?!Alternative|Distinguished)", n)]
            tags = sorted(set(tags))
            missing = sorted(n for n in defined[v] if n not in by_name and n not in ("Custom Attribute", "Vendor Attribute", "Certificate Attributes"))
            if missing:
                sys.exit(f"attribute sections without a tag in {v}: {missing}")
            f.write(f"    public static let definedIn{label.upper().replace('_', '')}: Set<Tag> = [\n")
            for i in range(0, len(tags), 6):
                f.write("        " + ", ".join(f"Tag(0x{t:06X})" for t in tags[i:i + 6]) + ",\n")
            f.write("    ]\n")
        f.write("}\n")

    with open(os.path.join(out_dir, "Enumerations.swift"), "w") as f:
        f.write(hdr)
        f.write("/// Every enumeration and mask table the specifications define: title -> (value, name, since).\n")
        f.write("public enum EnumerationTable {\n    public static let all: [String: [(value: UInt32, name: String, since: ProtocolVersion)]] = [\n")
        for title in sorted(enum_since):
            f.write(f"        {swift_str(title)}: [\n")
            for v in sorted(enum_since[title]):
                n, s = enum_since[title][v]
                f.write(f"            (0x{v:08X}, {swift_str(n)}, ProtocolVersion({s[0]}, {s[1]})),\n")
            f.write("        ],\n")
        f.write("    ]\n}\n")
        for title in sorted(enum_since):
            tname = ident(title, upper_first=True)
            # Hand-written types (ItemType, Tag) win; "Data" would shadow Foundation's.
            tname = {"Data": "DataEnumeration"}.get(tname, tname)
            if tname.startswith("_") or tname in ("Tag", "ItemType"):
                continue
            f.write(f"\n/// {title} (KMIP spec enumeration / mask table).\n")
            f.write(f"public struct {tname}: KMIPEnumeration {{\n")
            f.write("    public var rawValue: UInt32\n")
            f.write("    public init(rawValue: UInt32) { self.rawValue = rawValue }\n")
            f.write(f"    public static let tableName = {swift_str(title)}\n")
            used = set()
            for v in sorted(enum_since[title]):
                n, s = enum_since[title][v]
                i = ident(n)
                while i in used:
                    i += "_"
                used.add(i)
                f.write(f"    public static let {i} = Self(rawValue: 0x{v:08X})\n")
            f.write("}\n")


def attribute_rules(path, version):
    """Each attribute's rules table: (initially set by, modifiable by client, deletable by client,
    multiple instances permitted), keyed by the attribute's section heading."""
    heading = re.compile(r"^(3|4)\.(\d+) (.+)$" if version[0] == 1 else r"^4\.(\d+) (.+)$")
    rules, cur = {}, None
    lines = open(path, encoding="utf-8").read().splitlines()
    bare = re.compile(r"^(3|4)\.\d+$" if version[0] == 1 else r"^4\.\d+$")
    for i, line in enumerate(lines):
        m = heading.match(line)
        # Some headings put the number and the title on two lines ("4.50" / "Rotate Generation").
        if not m and bare.match(line.strip()) and i + 1 < len(lines):
            m = heading.match(line.strip() + " " + lines[i + 1].strip())
            if m:
                cur = clean(m.groups()[-1])
                continue
        if m:
            cur = clean(re.sub(r"\s+\d+$", "", m.groups()[-1]))  # table-of-contents lines end in a page number
            # Long headings wrap onto the next line ("Application Specific" / "Information").
            nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
            if nxt and not nxt.startswith("|") and len(nxt) < 30 and not re.match(r"^\d", nxt) and not nxt.endswith("."):
                cur = clean(cur + " " + nxt)
            continue
        if not cur or not line.startswith("| "):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2:
            continue
        key = {"Initially set by": "init", "Modifiable by client": "modify", "Deletable by client": "delete",
               "Multiple instances permitted": "multiple"}.get(cells[0])
        if key and not cells[1].endswith("?"):  # the spec's own legend table asks questions
            rules.setdefault(cur, {}).setdefault(key, cells[1])
    return {k: v for k, v in rules.items() if "init" in v and "multiple" in v}


def attribute_names(path, version):
    """The section titles of the attribute chapter (1.x §3, 2.x §4), from the table of contents, whose
    entries end in a page number; a title may wrap onto the next line."""
    chapter = "3" if version[0] == 1 else "4"
    lines = open(path, encoding="utf-8").read().splitlines()
    names = []
    for i, line in enumerate(lines):
        m = re.match(r"^%s\.(\d+)\s+(.*)$" % chapter, line)
        if not m:
            continue
        title = m.group(2).strip()
        if not re.search(r"\d+$", title) and i + 1 < len(lines):
            title += " " + lines[i + 1].strip()
        if not re.search(r"\d+$", title):
            if names:
                break  # the body begins: the table of contents is over
            continue
        names.append(clean(re.sub(r"[\s.]*\d+$", "", title)))
    return set(names) - {"Attribute Rules"}


ITEM_TYPES = {"Structure": "structure", "Integer": "integer", "Long Integer": "longInteger",
              "Big Integer": "bigInteger", "Enumeration": "enumeration", "Boolean": "boolean",
              "Text String": "textString", "Byte String": "byteString", "Date-Time": "dateTime",
              "Interval": "interval", "Date-Time Extended": "dateTimeExtended"}


def item_types(path):
    """The encoding of every item the specification's structure tables list ("| Item | Encoding |"
    rows: "| Cryptographic Length | Integer |"), keyed by the item's name."""
    types = {}
    for line in open(path, encoding="utf-8"):
        m = CELL.match(line.strip())
        if not m:
            continue
        cells = [re.sub(r"\s+", " ", c).strip() for c in m.group(1).split("|")]
        if len(cells) < 2:
            continue
        encoding = ITEM_TYPES.get(cells[1].rstrip(",").replace("Date Time", "Date-Time"))
        # Payload tables say it in words: "| Offset | No | An Interval object indicating ... |".
        described = re.match(r"^An? (%s)\b" % "|".join(ITEM_TYPES), cells[2]) if len(cells) > 2 else None
        if encoding:
            types[clean(cells[0])] = encoding
        elif described and cells[1].split(" ")[0] in ("Yes", "No", "Yes,", "No,"):
            types.setdefault(clean(cells[0]), ITEM_TYPES[described.group(1)])
    # Attribute tables whose one row names another item (2.1 §4.3 Always Sensitive lists "Sensitive",
    # §4.9 Comment lists "Description"), or whose value varies in 2.x (Linked Object Identifier: a
    # Text String, or an Enumeration or Integer that refers to a batch's earlier answer).
    types.update({"Always Sensitive": "boolean", "Comment": "textString", "Linked Object Identifier": "textString",
                  "Random Number Generator": "structure"})
    return types


def swift_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


if __name__ == "__main__":
    main()
