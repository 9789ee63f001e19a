//! Account: the environment, the features, and a quota that follows the
//! number of videos.

use apivideo::prelude::*;
use apivideo::types::Account;

use super::Calls;
use crate::common;

pub(super) const TAG: &str = "Account";
pub(super) const OPERATIONS: &[&str] = &["get_account"];

/// Of the account's quota: (used, total - remaining).
fn quota(account: Account) -> (f64, f64) {
    let quota = account.quota;
    (quota.quota_used, quota.quota_total - quota.quota_remaining)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_answer_what_was_sent() {
    let emulator = common::emulator().await;
    let client = common::client(&emulator);
    let mut calls = Calls::new(OPERATIONS);

    calls.called("get_account");
    let account = client.get_account().send().await.expect("account");
    assert_eq!(account.environment, "sandbox");
    assert!(
        account
            .features
            .iter()
            .any(|f| f == "transcode.mp4_support"),
        "{:?}",
        account.features
    );
    assert_eq!(quota(account), (0.0, 0.0), "no video yet");

    common::create_video(&client, "Maths 101").await;
    let account = client.get_account().send().await.expect("account");
    assert_eq!(quota(account), (1.0, 1.0), "one video");

    calls.assert_all_called_and_answered(&emulator);
}
