//! Prompts with images, through the real CLI to the fake API: the image reaches the model as
//! an image block, is kept with the message, and a bad one is refused before anything is sent.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;
use tether_fake_anthropic::Reply;

use crate::claude::ClaudeBench;

fn encoded(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(width, height, image::Rgb([20, 120, 200]))
        .write_to(&mut bytes, format)
        .unwrap();
    bytes.into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_reaches_the_model_and_stays_with_its_message() {
    let bench = ClaudeBench::start(vec![Reply::text(["A blue square."])]).await;
    let mut seat = bench.seat().await;
    let png = encoded(40, 30, image::ImageFormat::Png);
    let image = json!({ "media_type": "image/png", "data": STANDARD.encode(&png) });
    let sent = seat
        .call(
            "messages.send",
            json!({ "text": "What is this?", "images": [image] }),
        )
        .await;
    assert!(sent["error"].is_null(), "{sent}");
    seat.until(crate::claude::status_is("idle")).await;

    let asked = bench.fake.message_requests();
    let images = asked.last().expect("the model was asked").images();
    assert_eq!(images.len(), 1, "one image block reached the API");
    assert_eq!(images[0].media_type, "image/png");
    assert_eq!(images[0].bytes, png, "the very bytes sent");

    let snapshot = seat.call("sessions.get", json!({})).await;
    let prompt = &snapshot["result"]["messages"][0];
    assert_eq!(prompt["parts"][0]["text"], "What is this?", "{prompt}");
    assert_eq!(prompt["parts"][1]["kind"], "image");
    assert_eq!(prompt["parts"][1]["data"], STANDARD.encode(&png));
    seat.call("sessions.archive", json!({})).await;
    let saved = seat.call("sessions.get", json!({})).await;
    assert_eq!(
        saved["result"]["messages"][0], *prompt,
        "the store keeps it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_images_are_refused_naming_the_limit_and_nothing_is_sent() {
    let bench = ClaudeBench::start(vec![Reply::text(["Images alone work."])]).await;
    let mut seat = bench.seat().await;
    let png = encoded(8, 8, image::ImageFormat::Png);
    let jpeg = encoded(8, 8, image::ImageFormat::Jpeg);
    let wide = encoded(8001, 1, image::ImageFormat::Png);
    let cases = [
        (
            json!({ "media_type": "image/png", "data": STANDARD.encode(&jpeg) }),
            "image 1 is image/jpeg, not the image/png",
        ),
        (
            json!({ "media_type": "image/png", "data": STANDARD.encode(&png[..png.len() - 20]) }),
            "image 1 is damaged",
        ),
        (
            json!({ "media_type": "image/png", "data": STANDARD.encode(&wide) }),
            "at most 8000 on each side",
        ),
        (
            json!({ "media_type": "image/png", "data": "%%%" }),
            "not valid base64",
        ),
        (
            json!({ "media_type": "image/svg+xml", "data": STANDARD.encode(b"<svg/>") }),
            "not a PNG, JPEG, GIF or WebP",
        ),
        (
            json!({ "media_type": "image/png", "data": "A".repeat(5 * 1024 * 1024 + 4) }),
            "larger than 5242880 bytes",
        ),
    ];
    for (image, why) in cases {
        let refused = seat
            .call(
                "messages.send",
                json!({ "text": "look", "images": [image] }),
            )
            .await;
        assert_eq!(refused["error"]["code"], "invalid_params", "{refused}");
        let message = refused["error"]["message"].as_str().unwrap();
        assert!(message.contains(why), "{message} (wanted {why})");
    }
    let snapshot = seat.call("sessions.get", json!({})).await;
    assert_eq!(
        snapshot["result"]["messages"],
        json!([]),
        "nothing was kept"
    );
    assert!(
        bench.fake.message_requests().is_empty(),
        "nothing reached the model"
    );

    // An image with no text is a prompt of its own.
    let image = json!({ "media_type": "image/png", "data": STANDARD.encode(&png) });
    let sent = seat
        .call("messages.send", json!({ "text": " ", "images": [image] }))
        .await;
    assert!(sent["error"].is_null(), "{sent}");
    seat.until(crate::claude::status_is("idle")).await;
    let snapshot = seat.call("sessions.get", json!({})).await;
    let parts = &snapshot["result"]["messages"][0]["parts"];
    assert_eq!(parts.as_array().unwrap().len(), 1, "{parts}");
    assert_eq!(parts[0]["kind"], "image");
    let blank = seat.call("messages.send", json!({ "text": " " })).await;
    assert_eq!(blank["error"]["code"], "invalid_params", "{blank}");
}
