//! The model picker's catalog against real providers on loopback: live Ollama
//! `/api/tags` and `/v1/models` lists are merged with the configured models, and a
//! provider that is down or slow is listed as unavailable with the reason, in time.

mod support;

use std::{path::Path, time::Duration};

use auditstream::{
    protocol::ModelOption,
    server::{AppState, Settings, catalog, config::FileConfig},
};
use support::fake_model::{FakeModel, Script, Step};

fn json_answer(body: &str) -> Script {
    Script::stream(
        "application/json",
        vec![Step::Send(body.as_bytes().to_vec())],
    )
}

fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn find<'a>(list: &'a [ModelOption], id: &str) -> &'a ModelOption {
    list.iter()
        .find(|m| m.id == id)
        .unwrap_or_else(|| panic!("{id} missing from {list:#?}"))
}

#[tokio::test]
async fn live_lists_merge_and_broken_providers_degrade_with_a_reason() {
    let ollama = FakeModel::start(json_answer(
        r#"{"models":[{"name":"qwen2.5-coder:7b","size":1},{"name":"llama3.1:8b","size":2}]}"#,
    ))
    .await;
    let vllm = FakeModel::start(json_answer(
        r#"{"object":"list","data":[{"id":"deepseek-coder","object":"model"}]}"#,
    ))
    .await;
    let slow = FakeModel::start(Script {
        no_headers: true,
        ..json_answer("")
    })
    .await;
    let toml = format!(
        r#"
default = "local/qwen2.5-coder:7b"
[[provider]]
name = "local"
kind = "ollama"
base_url = "{}"
models = ["qwen2.5-coder:7b"]
[[provider]]
name = "vllm"
kind = "openai"
base_url = "{}/v1"
api_key_env = "VLLM_KEY"
models = []
[[provider]]
name = "down"
kind = "ollama"
base_url = "http://127.0.0.1:{}"
models = ["phi3"]
[[provider]]
name = "slow"
kind = "anthropic"
base_url = "{}"
models = ["claude-x"]
"#,
        ollama.base_url(),
        vllm.base_url(),
        closed_port(),
        slow.base_url()
    );
    let file = FileConfig::parse(&toml, Path::new("test.toml")).unwrap();
    let env = |k: &str| match k {
        "VLLM_KEY" => Some("vllm-secret".to_owned()),
        "AUDITSTREAM_DISCOVERY_TIMEOUT_SECS" => Some("0.5".to_owned()),
        _ => None,
    };
    let state = AppState::new(Settings::from_parts(Some(file), env).unwrap());

    let asked = std::time::Instant::now();
    let list = tokio::time::timeout(Duration::from_secs(5), catalog::list(&state))
        .await
        .unwrap();
    assert!(
        asked.elapsed() < Duration::from_secs(3),
        "providers are asked concurrently under the timeout"
    );

    let default = find(&list, "local/qwen2.5-coder:7b");
    assert!(default.is_default && default.available);
    assert_eq!(
        list.iter()
            .filter(|m| m.id == "local/qwen2.5-coder:7b")
            .count(),
        1,
        "no duplicates"
    );
    assert!(
        find(&list, "local/llama3.1:8b").available,
        "live Ollama tags are listed"
    );
    assert!(
        find(&list, "vllm/deepseek-coder").available,
        "live /v1/models are listed"
    );
    assert!(
        find(&list, "builtin/analyzer").available,
        "the offline analyzer is always there"
    );

    let down = find(&list, "down/phi3");
    assert!(!down.available);
    assert!(
        down.reason
            .as_deref()
            .unwrap()
            .contains("cannot reach down"),
        "{down:?}"
    );
    let slow_model = find(&list, "slow/claude-x");
    assert!(!slow_model.available);
    assert!(
        slow_model
            .reason
            .as_deref()
            .unwrap()
            .contains("did not answer within 0.5 s"),
        "{slow_model:?}"
    );

    let head = &vllm.received()[0].head.to_ascii_lowercase();
    assert!(
        head.starts_with("get /v1/models") && head.contains("authorization: bearer vllm-secret")
    );
    assert!(ollama.received()[0].head.starts_with("GET /api/tags"));
    assert!(
        !serde_json::to_string(&list)
            .unwrap()
            .contains("vllm-secret")
    );
}

#[tokio::test]
async fn a_rejected_key_makes_the_provider_unavailable_and_a_missing_listing_does_not() {
    let rejecting = FakeModel::start(Script::error(
        401,
        r#"{"error":{"message":"bad key sk-zzz"}}"#,
    ))
    .await;
    let no_listing = FakeModel::start(Script::error(404, "not found")).await;
    let toml = format!(
        "[[provider]]\nname = \"a\"\nkind = \"openai\"\nbase_url = \"{}\"\nmodels = [\"m1\"]\n[[provider]]\nname = \"b\"\nkind = \"openai\"\nbase_url = \"{}\"\nmodels = [\"m2\"]\n",
        rejecting.base_url(),
        no_listing.base_url()
    );
    let file = FileConfig::parse(&toml, Path::new("t.toml")).unwrap();
    let state = AppState::new(Settings::from_parts(Some(file), |_| None).unwrap());
    let list = catalog::list(&state).await;
    let a = find(&list, "a/m1");
    assert!(
        !a.available
            && a.reason
                .as_deref()
                .unwrap()
                .contains("rejected the API key")
    );
    assert!(!a.reason.as_deref().unwrap().contains("sk-zzz"));
    assert!(
        find(&list, "b/m2").available,
        "a server without /models still serves its configured models"
    );
}
