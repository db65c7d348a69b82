//! A minimal MaxMind DB writer, enough to make the small databases the tests of `GEOIP_DATABASE`
//! read (<https://maxmind.github.io/MaxMind-DB/>): an IPv4 search tree of 24-bit records, a data
//! section of maps, strings and unsigned integers, and the metadata after its marker.

/// A value of the data section.
#[derive(Debug, Clone)]
pub enum Value {
    Str(&'static str),
    U16(u16),
    U32(u32),
    U64(u64),
    Map(Vec<(&'static str, Value)>),
    Array(Vec<Value>),
}

/// `{"country": {"iso_code": country}, "city": {"names": {"en": city}}}`, as GeoIP2 City.
pub fn city(country: &'static str, city: &'static str) -> Value {
    Value::Map(vec![
        ("city", Value::Map(vec![("names", names(city))])),
        ("country", country_map(country)),
    ])
}

/// `{"country": {"iso_code": country, ...}}`, as GeoIP2 Country.
pub fn country(country: &'static str) -> Value {
    Value::Map(vec![("country", country_map(country))])
}

fn country_map(iso_code: &'static str) -> Value {
    Value::Map(vec![
        ("geoname_id", Value::U32(2_635_167)),
        ("iso_code", Value::Str(iso_code)),
        ("names", names("Somewhere")),
    ])
}

fn names(en: &'static str) -> Value {
    Value::Map(vec![("de", Value::Str("Irgendwo")), ("en", Value::Str(en))])
}

/// A database of `networks` (IPv4 address, prefix length, record), in `database_type`.
pub fn database(database_type: &'static str, networks: &[([u8; 4], u8, Value)]) -> Vec<u8> {
    let mut data = Vec::new();
    let mut tree = Tree::default();
    for (address, prefix, value) in networks {
        let offset = data.len();
        encode(value, &mut data);
        tree.insert(u32::from_be_bytes(*address), *prefix, offset);
    }
    let node_count = tree.nodes.len();
    let mut out = Vec::new();
    for node in &tree.nodes {
        for record in node {
            let value = match *record {
                Slot::Empty => node_count,
                Slot::Node(n) => n,
                // Data pointers count from the start of the 16-byte separator's end, plus it.
                Slot::Data(offset) => node_count + 16 + offset,
            };
            let value = u32::try_from(value).unwrap_or_else(|e| panic!("{e}"));
            out.extend_from_slice(&value.to_be_bytes()[1..]);
        }
    }
    out.extend_from_slice(&[0; 16]);
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\xAB\xCD\xEFMaxMind.com");
    let metadata = Value::Map(vec![
        ("binary_format_major_version", Value::U16(2)),
        ("binary_format_minor_version", Value::U16(0)),
        ("build_epoch", Value::U64(1_700_000_000)),
        ("database_type", Value::Str(database_type)),
        ("description", Value::Map(vec![("en", Value::Str("test"))])),
        ("ip_version", Value::U16(4)),
        ("languages", Value::Array(vec![Value::Str("en")])),
        (
            "node_count",
            Value::U32(u32::try_from(node_count).unwrap_or_else(|e| panic!("{e}"))),
        ),
        ("record_size", Value::U16(24)),
    ]);
    encode(&metadata, &mut out);
    out
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    Empty,
    Node(usize),
    Data(usize),
}

/// The binary search tree over the 32 bits of an IPv4 address, one node per bit.
#[derive(Debug)]
struct Tree {
    nodes: Vec<[Slot; 2]>,
}

impl Default for Tree {
    fn default() -> Self {
        Self {
            nodes: vec![[Slot::Empty; 2]],
        }
    }
}

impl Tree {
    fn insert(&mut self, address: u32, prefix: u8, data: usize) {
        let mut node = 0;
        for depth in 0..prefix {
            let bit = usize::from(address >> (31 - depth) & 1 == 1);
            if depth + 1 == prefix {
                self.nodes[node][bit] = Slot::Data(data);
                return;
            }
            node = match self.nodes[node][bit] {
                Slot::Node(next) => next,
                _ => {
                    self.nodes.push([Slot::Empty; 2]);
                    let next = self.nodes.len() - 1;
                    self.nodes[node][bit] = Slot::Node(next);
                    next
                }
            };
        }
    }
}

/// A control byte (type in the top 3 bits, size in the low 5) before a payload. Sizes stay
/// under 29, so no size bytes follow; extended types (above 7) take a second type byte.
fn control(kind: u8, size: usize, out: &mut Vec<u8>) {
    let size = u8::try_from(size)
        .ok()
        .filter(|s| *s < 29)
        .unwrap_or_else(|| panic!("the writer only does sizes under 29, not {size}"));
    if kind <= 7 {
        out.push(kind << 5 | size);
    } else {
        out.push(size);
        out.push(kind - 7);
    }
}

/// An unsigned integer in as few big-endian bytes as it needs.
fn uint(kind: u8, n: u64, out: &mut Vec<u8>) {
    let bytes = n.to_be_bytes();
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    control(kind, bytes.len() - first, out);
    out.extend_from_slice(&bytes[first..]);
}

fn encode(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Str(s) => {
            control(2, s.len(), out);
            out.extend_from_slice(s.as_bytes());
        }
        Value::U16(n) => uint(5, u64::from(*n), out),
        Value::U32(n) => uint(6, u64::from(*n), out),
        Value::U64(n) => uint(9, *n, out),
        Value::Map(entries) => {
            control(7, entries.len(), out);
            for (key, value) in entries {
                encode(&Value::Str(key), out);
                encode(value, out);
            }
        }
        Value::Array(items) => {
            control(11, items.len(), out);
            for item in items {
                encode(item, out);
            }
        }
    }
}
