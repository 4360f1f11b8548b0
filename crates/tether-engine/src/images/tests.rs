//! Images checked from their bytes: the four formats, a declared type that is not the data,
//! other formats, bad base64, damage, and each limit.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use image::{ImageFormat, RgbImage};

use super::*;

fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    RgbImage::from_pixel(width, height, image::Rgb([163, 74, 37]))
        .write_to(&mut bytes, format)
        .unwrap();
    bytes.into_inner()
}

fn upload(media_type: &str, bytes: &[u8]) -> ImageUpload {
    ImageUpload {
        media_type: media_type.to_owned(),
        data: STANDARD.encode(bytes),
    }
}

#[test]
fn the_four_formats_pass_with_the_type_found_in_the_data() {
    let png = encoded(64, 32, ImageFormat::Png);
    let jpeg = encoded(64, 32, ImageFormat::Jpeg);
    let gif = encoded(8, 8, ImageFormat::Gif);
    let checked = check_all(vec![
        upload("image/png", &png),
        upload("image/jpeg", &jpeg),
        upload("image/gif", &gif),
    ])
    .unwrap();
    let types: Vec<_> = checked.iter().map(|i| i.media_type.as_str()).collect();
    assert_eq!(types, ["image/png", "image/jpeg", "image/gif"]);
    assert_eq!(checked[0].data, STANDARD.encode(&png));
}

#[test]
fn a_declared_type_that_is_not_the_data_is_refused() {
    let jpeg = encoded(16, 16, ImageFormat::Jpeg);
    let refused = check_all(vec![upload("image/png", &jpeg)]).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "image 1 is image/jpeg, not the image/png it was sent as"
    );
}

#[test]
fn other_formats_text_and_bad_base64_are_refused() {
    // A BMP header: a format the API does not take.
    let bmp = b"BM6\0\0\0\0\0\0\x006\0\0\0(\0\0\0";
    assert_eq!(
        check_all(vec![upload("image/png", b"not an image at all")]),
        Err(ImageError::UnknownFormat(1))
    );
    assert_eq!(
        check_all(vec![upload("image/bmp", bmp)]),
        Err(ImageError::UnknownFormat(1))
    );
    let bad = ImageUpload {
        media_type: "image/png".into(),
        data: "@@not base64@@".into(),
    };
    assert_eq!(check_all(vec![bad]), Err(ImageError::NotBase64(1)));
}

#[test]
fn a_truncated_image_is_refused_as_damaged() {
    let png = encoded(256, 256, ImageFormat::Png);
    let cut = &png[..png.len() / 2];
    let good = upload("image/png", &png);
    assert_eq!(
        check_all(vec![good, upload("image/png", cut)]),
        Err(ImageError::Corrupt(2))
    );
}

#[test]
fn limits_on_size_sides_and_count_name_the_limit() {
    let wide = encoded(MAX_SIDE + 1, 1, ImageFormat::Png);
    let refused = check_all(vec![upload("image/png", &wide)]).unwrap_err();
    assert!(
        refused.to_string().contains("at most 8000 on each side"),
        "{refused}"
    );
    let huge = ImageUpload {
        media_type: "image/png".into(),
        data: "A".repeat(MAX_BASE64_BYTES + 4),
    };
    assert_eq!(check_all(vec![huge]), Err(ImageError::TooLarge(1)));
    let small = upload("image/png", &encoded(2, 2, ImageFormat::Png));
    let many = vec![small; MAX_IMAGES + 1];
    assert_eq!(check_all(many), Err(ImageError::TooMany));
}
