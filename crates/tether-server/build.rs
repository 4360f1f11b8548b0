//! Builds the engine again when the chat UI it embeds (`ui/dist`) is built anew: its hashed
//! file names change, and a folder that did not exist may now.

fn main() {
    println!("cargo:rerun-if-changed=../../ui/dist");
    println!("cargo:rerun-if-changed=build.rs");
}
