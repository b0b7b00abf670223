//! Lower-case hex: the one spelling of digests, MACs and signatures in the database, URLs and headers.

/// Lower-case hex of `bytes`, two characters per byte.
pub fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

/// The bytes spelled by `text` (either case), or `None` if it is not exactly `expected_len` bytes of hex.
/// Every caller knows the length it expects (a SHA-256 is 32 bytes), so odd lengths never get this far.
pub fn decode(text: &str, expected_len: usize) -> Option<Vec<u8>> {
    if text.len() != expected_len * 2 {
        return None;
    }
    text.as_bytes().chunks(2).map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?)).collect()
}

fn nibble(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_lower_case_two_digits_per_byte() {
        assert_eq!(encode(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
        assert_eq!(encode(&[]), "");
    }

    #[test]
    fn round_trips_every_byte_value() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(decode(&encode(&bytes), 256), Some(bytes));
    }

    #[test]
    fn decodes_upper_case_too() {
        assert_eq!(decode("0A0b", 2), Some(vec![0x0a, 0x0b]));
    }

    #[test]
    fn refuses_wrong_lengths_and_non_hex() {
        assert_eq!(decode("abc", 2), None);
        assert_eq!(decode("abcd", 1), None);
        assert_eq!(decode("zz", 1), None);
        assert_eq!(decode("+1", 1), None);
        // A multi-byte character never splits into a "valid" pair.
        assert_eq!(decode("é", 1), None);
    }
}
