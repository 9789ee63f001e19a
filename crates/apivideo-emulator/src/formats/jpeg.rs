//! A JPEG encoder for one thing: the uniform gray frames the emulator
//! serves as generated thumbnails.

/// Appends bits most significant first, with JPEG byte stuffing.
#[derive(Debug, Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u32,
    bits: u32,
}

impl BitWriter {
    fn put(&mut self, value: u32, count: u32) {
        for i in (0..count).rev() {
            self.acc = (self.acc << 1) | ((value >> i) & 1);
            self.bits += 1;
            if self.bits == 8 {
                self.push_byte();
            }
        }
    }

    fn push_byte(&mut self) {
        let byte = (self.acc & 0xFF) as u8;
        self.out.push(byte);
        if byte == 0xFF {
            self.out.push(0x00);
        }
        self.acc = 0;
        self.bits = 0;
    }

    /// Pads the last byte with 1 bits.
    fn finish(mut self) -> Vec<u8> {
        if self.bits > 0 {
            let pad = 8 - self.bits;
            self.put((1 << pad) - 1, pad);
        }
        self.out
    }
}

/// A baseline grayscale JPEG of one uniform `level`. Uniform 8×8 blocks
/// have only a DC coefficient, so tiny Huffman tables suffice: DC symbols
/// "first block's category" (`0`) and "no change" (`10`), AC only EOB (`0`).
pub(crate) fn solid_jpeg(width: u16, height: u16, level: u8) -> Vec<u8> {
    // DC coefficient 8 × (level − 128), quantized by 8.
    let dc = i32::from(level) - 128;
    let category = 32 - dc.unsigned_abs().leading_zeros();
    let mut out = vec![0xFF, 0xD8];
    out.extend_from_slice(&[
        0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ]);
    out.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x43, 0x00]);
    out.extend_from_slice(&[8; 64]);
    out.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 0x08]);
    out.extend_from_slice(&height.to_be_bytes());
    out.extend_from_slice(&width.to_be_bytes());
    out.extend_from_slice(&[0x01, 0x01, 0x11, 0x00]);
    // Category as u8: at most 8 for |dc| <= 128.
    let dc_symbols: Vec<u8> = if category == 0 {
        vec![0]
    } else {
        vec![category as u8, 0]
    };
    huffman_table(&mut out, 0x00, &dc_symbols);
    huffman_table(&mut out, 0x10, &[0x00]);
    out.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
    let blocks = u32::from(width.div_ceil(8)) * u32::from(height.div_ceil(8));
    let mut bits = BitWriter::default();
    for block in 0..blocks {
        if block == 0 && category > 0 {
            bits.put(0, 1);
            // Negative values are written as value − 1 in `category` bits.
            let extra = if dc < 0 { dc - 1 } else { dc };
            bits.put(extra as u32 & ((1 << category) - 1), category);
        } else if category > 0 {
            bits.put(0b10, 2);
        } else {
            bits.put(0, 1);
        }
        bits.put(0, 1);
    }
    out.extend(bits.finish());
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

/// A DHT segment whose symbols get codes of lengths 1, 2, 3… in order.
fn huffman_table(out: &mut Vec<u8>, class_id: u8, symbols: &[u8]) {
    let mut counts = [0u8; 16];
    for (i, _) in symbols.iter().enumerate() {
        counts[i] = 1;
    }
    let len = 2 + 1 + 16 + symbols.len() as u16;
    out.extend_from_slice(&[0xFF, 0xC4]);
    out.extend_from_slice(&len.to_be_bytes());
    out.push(class_id);
    out.extend_from_slice(&counts);
    out.extend_from_slice(symbols);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_jpegs_are_framed() {
        for level in [0, 40, 128, 200, 255] {
            let jpeg = solid_jpeg(320, 180, level);
            assert_eq!(&jpeg[..2], [0xFF, 0xD8]);
            assert_eq!(&jpeg[jpeg.len() - 2..], [0xFF, 0xD9]);
            assert!(jpeg.len() < 2048);
        }
    }
}
