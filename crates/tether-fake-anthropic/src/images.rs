//! The image blocks of a request, checked as the real API checks them: base64 source, a media
//! type it takes, data that decodes, and a declared type that is what the data is. A bad one is
//! answered with the API's 400 `invalid_request_error`, so a test sees what a user would.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

/// One image block as the request carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageBlock {
    pub media_type: String,
    /// The decoded bytes.
    pub bytes: Vec<u8>,
}

/// Every image block in `messages`, in order; the first bad one is the API's error message.
pub(crate) fn blocks(messages: &[Value]) -> Result<Vec<ImageBlock>, String> {
    let mut found = Vec::new();
    for (m, message) in messages.iter().enumerate() {
        let Some(content) = message.get("content").and_then(Value::as_array) else {
            continue;
        };
        for (c, block) in content.iter().enumerate() {
            if block.get("type").and_then(Value::as_str) == Some("image") {
                let at = format!("messages.{m}.content.{c}.image.source");
                found.push(block_of(&block["source"]).map_err(|why| format!("{at}: {why}"))?);
            }
        }
    }
    Ok(found)
}

fn block_of(source: &Value) -> Result<ImageBlock, String> {
    if source.get("type").and_then(Value::as_str) != Some("base64") {
        return Err("only base64 sources are served here".into());
    }
    let media_type = source["media_type"].as_str().unwrap_or_default().to_owned();
    let format = match media_type.as_str() {
        "image/png" => image::ImageFormat::Png,
        "image/jpeg" => image::ImageFormat::Jpeg,
        "image/gif" => image::ImageFormat::Gif,
        "image/webp" => image::ImageFormat::WebP,
        other => return Err(format!("media_type {other:?} is not supported")),
    };
    let bytes = STANDARD
        .decode(source["data"].as_str().unwrap_or_default())
        .map_err(|_| "base64.data: invalid base64 data".to_owned())?;
    let actual = image::guess_format(&bytes).map_err(|_| "Could not process image".to_owned())?;
    if actual != format {
        return Err(format!(
            "base64.data: The image was specified using the {media_type} media type, but the image appears to be a {} image",
            actual.to_mime_type()
        ));
    }
    image::load_from_memory_with_format(&bytes, format)
        .map_err(|_| "Could not process image".to_owned())?;
    Ok(ImageBlock { media_type, bytes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn png() -> Vec<u8> {
        let mut bytes = std::io::Cursor::new(Vec::new());
        image::RgbImage::new(3, 2)
            .write_to(&mut bytes, image::ImageFormat::Png)
            .unwrap();
        bytes.into_inner()
    }

    fn request(media_type: &str, bytes: &[u8]) -> Vec<Value> {
        let source =
            json!({"type": "base64", "media_type": media_type, "data": STANDARD.encode(bytes)});
        vec![
            json!({"role": "user", "content": "hello"}),
            json!({"role": "user", "content": [{"type": "text", "text": "see"}, {"type": "image", "source": source}]}),
        ]
    }

    #[test]
    fn a_good_image_is_recorded_decoded() {
        let found = blocks(&request("image/png", &png())).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].media_type, "image/png");
        assert_eq!(found[0].bytes, png());
    }

    #[test]
    fn wrong_types_bad_data_and_damage_are_refused_where_they_are() {
        let wrong = blocks(&request("image/jpeg", &png())).unwrap_err();
        assert!(
            wrong.starts_with("messages.1.content.1.image.source: "),
            "{wrong}"
        );
        assert!(wrong.contains("appears to be a image/png image"), "{wrong}");
        let cut = png()[..20].to_vec();
        assert!(
            blocks(&request("image/png", &cut))
                .unwrap_err()
                .ends_with("Could not process image")
        );
        assert!(
            blocks(&request("image/bmp", &png()))
                .unwrap_err()
                .contains("not supported")
        );
    }
}
