//! However a transcript grows (cut anywhere, mid-line included, and indexed between the
//! pieces), reading on ends in the same digest as reading the whole file once.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly on purpose

use proptest::prelude::*;
use tether_engine::transcripts::digest::Digest;
use tether_engine::transcripts::{Index, read_into};

const RECORDED: &[u8] = include_bytes!("fixtures/transcripts/cli-2.1.330-tools.jsonl");

fn digest_of(bytes: &[u8]) -> Digest {
    let mut digest = Digest::default();
    read_into(&mut digest, bytes, 1 << 20).unwrap();
    digest
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn reading_on_in_pieces_ends_where_reading_whole_does(mut cuts in proptest::collection::vec(0..RECORDED.len(), 1..8)) {
        cuts.sort_unstable();
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("-p");
        std::fs::create_dir(&folder).unwrap();
        let file = folder.join("t-1.jsonl");
        let index = Index::default();
        for cut in cuts.iter().copied().chain([RECORDED.len()]) {
            std::fs::write(&file, &RECORDED[..cut]).unwrap();
            index.refresh(dir.path());
        }
        let read_on = index.get("t-1").unwrap().digest;
        prop_assert_eq!(read_on, digest_of(RECORDED));
    }
}
