//! [`QrRenderer`]: the otpauth URL as a PNG QR code in a `data:` URL, which a page shows with a
//! plain `<img src>`.

use authd_domain::ports::QrRenderer;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use qrcodegen::{QrCode, QrCodeEcc};

/// Pixels per QR module: 4 gives some 200 pixels for an otpauth URL, sharp when scaled up.
const SCALE: usize = 4;
/// The quiet zone the QR specification asks for around the symbol, in modules.
const BORDER: usize = 4;

/// Black-and-white PNG QR codes with medium error correction.
#[derive(Debug, Default, Clone, Copy)]
pub struct PngQr;

impl PngQr {
    /// The PNG bytes of a QR code holding `text`; `None` only for text longer than a QR code
    /// holds (some 2,300 bytes at medium correction; an otpauth URL is a tenth of that).
    #[must_use]
    pub fn png(text: &str) -> Option<Vec<u8>> {
        let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
        let modules = usize::try_from(qr.size()).ok()?;
        let side = (modules + 2 * BORDER) * SCALE;
        let mut pixels = vec![0xFF_u8; side * side];
        for y in 0..modules {
            for x in 0..modules {
                if !qr.get_module(i32::try_from(x).ok()?, i32::try_from(y).ok()?) {
                    continue;
                }
                for dy in 0..SCALE {
                    let row = ((y + BORDER) * SCALE + dy) * side;
                    let start = row + (x + BORDER) * SCALE;
                    pixels[start..start + SCALE].fill(0);
                }
            }
        }
        let mut out = Vec::new();
        let side32 = u32::try_from(side).ok()?;
        let mut encoder = png::Encoder::new(&mut out, side32, side32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().ok()?;
        writer.write_image_data(&pixels).ok()?;
        writer.finish().ok()?;
        Some(out)
    }
}

impl QrRenderer for PngQr {
    fn png_data_url(&self, text: &str) -> String {
        // An otpauth URL always fits; should one not, an empty image beats a failed setup, as
        // the secret and the URL are in the same answer.
        let png = Self::png(text).unwrap_or_default();
        format!("data:image/png;base64,{}", STANDARD.encode(png))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_otpauth_url_becomes_a_png_data_url() {
        let url = "otpauth://totp/authd:jane%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=authd";
        let data = PngQr.png_data_url(url);
        let b64 = data.strip_prefix("data:image/png;base64,").unwrap();
        let png = STANDARD.decode(b64).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!(info.width, info.height);
        assert!(info.width >= 21 * 4, "{}", info.width);
    }

    #[test]
    fn text_too_long_for_a_qr_code_gives_no_png() {
        assert!(PngQr::png(&"x".repeat(8_000)).is_none());
    }
}
