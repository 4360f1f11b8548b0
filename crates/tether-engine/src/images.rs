//! A prompt's images, checked from their bytes: the format is read from the data (never taken
//! from the declared type), the whole image is decoded once to refuse a corrupt one, and the
//! limits are the Anthropic API's, so `claude` is never handed an image the API would refuse.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use image::{ImageFormat, ImageReader, Limits};

use crate::supervisor::session_reducer::Image;
use tether_protocol::params::ImageUpload;

/// Images one prompt may carry.
pub const MAX_IMAGES: usize = 20;

/// The longest base64 an image may be (the API's 5 MB per image).
pub const MAX_BASE64_BYTES: usize = 5 * 1024 * 1024;

/// The widest and tallest an image may be, in pixels (the API's limit).
pub const MAX_SIDE: u32 = 8000;

/// The most memory decoding one image may take: the largest image at 8 bits a channel.
const MAX_DECODE_BYTES: u64 = MAX_SIDE as u64 * MAX_SIDE as u64 * 4;

/// Why an image was refused; the message names the image (1-based) and the limit.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImageError {
    #[error("a prompt carries at most {MAX_IMAGES} images")]
    TooMany,
    #[error("image {0} is larger than {MAX_BASE64_BYTES} bytes of base64")]
    TooLarge(usize),
    #[error("image {0} is not valid base64")]
    NotBase64(usize),
    #[error("image {0} is not a PNG, JPEG, GIF or WebP image")]
    UnknownFormat(usize),
    #[error("image {index} is {found}, not the {declared} it was sent as")]
    WrongType {
        index: usize,
        declared: String,
        found: &'static str,
    },
    #[error("image {index} is {width}×{height} pixels; at most {MAX_SIDE} on each side")]
    TooWide {
        index: usize,
        width: u32,
        height: u32,
    },
    #[error("image {0} is damaged: it does not decode")]
    Corrupt(usize),
    #[error("image {0} needs more than {limit} MB to decode", limit = MAX_DECODE_BYTES / 1_000_000)]
    TooDeep(usize),
}

/// Checks every image of a prompt; the result carries the type found in the data. Decoding
/// is CPU work and memory: call it off the async threads, one prompt at a time.
pub fn check_all(uploads: Vec<ImageUpload>) -> Result<Vec<Image>, ImageError> {
    if uploads.len() > MAX_IMAGES {
        return Err(ImageError::TooMany);
    }
    uploads
        .into_iter()
        .enumerate()
        .map(|(index, upload)| check(index + 1, upload))
        .collect()
}

fn check(index: usize, upload: ImageUpload) -> Result<Image, ImageError> {
    if upload.data.len() > MAX_BASE64_BYTES {
        return Err(ImageError::TooLarge(index));
    }
    let bytes = STANDARD
        .decode(upload.data.as_bytes())
        .map_err(|_| ImageError::NotBase64(index))?;
    let format = image::guess_format(&bytes).map_err(|_| ImageError::UnknownFormat(index))?;
    let found = media_type(format).ok_or(ImageError::UnknownFormat(index))?;
    if upload.media_type != found {
        return Err(ImageError::WrongType {
            index,
            declared: upload.media_type.chars().take(40).collect(),
            found,
        });
    }
    let mut reader = ImageReader::with_format(std::io::Cursor::new(&bytes), format);
    let (width, height) = reader
        .into_dimensions()
        .map_err(|_| ImageError::Corrupt(index))?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(ImageError::TooWide {
            index,
            width,
            height,
        });
    }
    reader = ImageReader::with_format(std::io::Cursor::new(&bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    reader.decode().map_err(|error| match error {
        image::ImageError::Limits(_) => ImageError::TooDeep(index),
        _ => ImageError::Corrupt(index),
    })?;
    Ok(Image {
        media_type: found.to_owned(),
        data: upload.data,
    })
}

/// The media type the API takes for a format, if it takes it.
fn media_type(format: ImageFormat) -> Option<&'static str> {
    match format {
        ImageFormat::Png => Some("image/png"),
        ImageFormat::Jpeg => Some("image/jpeg"),
        ImageFormat::Gif => Some("image/gif"),
        ImageFormat::WebP => Some("image/webp"),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
