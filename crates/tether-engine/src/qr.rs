//! QR codes for the pairing link: SVG for windows and pages, block characters for terminals.

use qrcode::QrCode;
use qrcode::render::{svg, unicode};

/// The text could not be put in a QR code (it is far too long).
#[derive(Debug, thiserror::Error)]
#[error("cannot make a QR code: {0}")]
pub struct QrError(#[from] qrcode::types::QrError);

/// An SVG document of the QR code for `text`, with a quiet zone, at least 240 px wide.
pub fn svg(text: &str) -> Result<String, QrError> {
    let code = QrCode::new(text.as_bytes())?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

/// The QR code for `text` in half-block characters, two modules per character cell, dark
/// on light whatever the terminal's colours, so phone cameras read it.
pub fn terminal(text: &str) -> Result<String, QrError> {
    let code = QrCode::new(text.as_bytes())?;
    Ok(code
        .render::<unicode::Dense1x2>()
        .dark_color(unicode::Dense1x2::Light)
        .light_color(unicode::Dense1x2::Dark)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_both_forms() {
        let url = "https://192.0.2.5:7411/#pair=7KQF-3M9D&fp=SHA256:abc";
        let image = svg(url).unwrap();
        assert!(image.starts_with("<?xml") && image.contains("<svg") && image.contains("#000000"));
        let text = terminal(url).unwrap();
        assert!(text.lines().count() > 10);
        assert!(
            text.chars()
                .all(|c| matches!(c, '█' | '▀' | '▄' | ' ' | '\n'))
        );
        assert!(svg(&"x".repeat(10_000)).is_err());
    }
}
