//! Hand-authored Templates in the crawl: the host reads the URL a component type names (no `/schema`
//! for it); a read that fails or a text that is not a Template keeps the last good copy (stale scope);
//! a URL the host may not read gives no Template and one diagnostic naming why.

use openchoreo_catalog_guest::kinds::remote_template::TEMPLATE_URL;
use openchoreo_catalog_guest::sync::config::Config;
use openchoreo_catalog_guest::sync::run;
use openchoreo_catalog_guest::sync::transport::{HttpError, Level, ReadError, Request, Response, TokenError, TokenState, Transport};
use serde_json::{Value, json};
use std::collections::HashMap;

const GOOD: &str = "https://templates.example.com/service.yaml";
const DOWN: &str = "https://templates.example.com/web.yaml";
const FORBIDDEN: &str = "https://elsewhere.example.org/worker.yaml";
const BROKEN: &str = "https://templates.example.com/broken.yaml";
const AUTHORED: &str = "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: authored\n  title: Our service\nspec:\n  type: service\n  steps: []\n";

#[derive(Default)]
struct Api {
    lists: HashMap<String, Vec<Value>>,
    sent: Vec<String>,
    read: Vec<Vec<String>>,
}

impl Transport for Api {
    fn send_batch(&mut self, requests: &[Request]) -> Vec<Result<Response, HttpError>> {
        requests
            .iter()
            .map(|r| {
                self.sent.push(r.path.clone());
                let body = if r.path.ends_with("/schema") {
                    json!({ "type": "object", "properties": {} })
                } else {
                    json!({ "items": self.lists.get(&r.path).cloned().unwrap_or_default() })
                };
                Ok(Response { status: 200, body: body.to_string() })
            })
            .collect()
    }
    fn ensure_token(&mut self, _: bool) -> Result<TokenState, TokenError> {
        Ok(TokenState::Disabled)
    }
    fn log(&mut self, _: Level, _: &str) {}
    fn read_templates(&mut self, urls: &[String]) -> Vec<Result<String, ReadError>> {
        self.read.push(urls.to_vec());
        urls.iter()
            .map(|u| match u.as_str() {
                GOOD => Ok(AUTHORED.to_string()),
                DOWN => Err(ReadError::Failed("503 Service Unavailable".into())),
                FORBIDDEN => Err(ReadError::NotAllowed("elsewhere.example.org is not in backend.reading.allow".into())),
                BROKEN => Ok("kind: Component\n".into()),
                other => panic!("read {other}"),
            })
            .collect()
    }
}

fn ct(name: &str, url: Option<&str>) -> Value {
    let annotations = url.map_or_else(|| json!({}), |u| json!({ TEMPLATE_URL: u }));
    json!({ "metadata": { "name": name, "annotations": annotations }, "spec": { "workloadType": "deployment" } })
}

#[test]
fn the_host_reads_named_templates_and_each_failure_costs_only_its_own_template() {
    let mut api = Api::default();
    api.lists.insert("/api/v1/namespaces".into(), vec![json!({ "metadata": { "name": "acme" } })]);
    api.lists.insert(
        "/api/v1/namespaces/acme/componenttypes".into(),
        vec![ct("service", Some(GOOD)), ct("web", Some(DOWN)), ct("worker", Some(FORBIDDEN)), ct("plain", None)],
    );
    api.lists.insert("/api/v1/clustercomponenttypes".into(), vec![ct("broken", Some(BROKEN))]);
    let cfg = Config {
        base_url: "http://x".into(),
        default_owner: String::new(),
        frequency_seconds: 30,
        timeout_seconds: 60,
        auth_enabled: false,
    };
    let report = run(&cfg, &mut api).unwrap();

    let schemas: Vec<&String> = api.sent.iter().filter(|p| p.ends_with("/schema")).collect();
    assert_eq!(schemas, ["/api/v1/namespaces/acme/componenttypes/plain/schema"], "no /schema for a type whose Template is read");
    assert_eq!(api.read, [vec![BROKEN], vec![GOOD, DOWN, FORBIDDEN]], "one read batch a scope, once its lists are in");

    let templates: Vec<(String, Value)> =
        report.entities.iter().filter(|e| e.kind == "Template").map(|e| (format!("{}/{}", e.namespace, e.name), e.doc())).collect();
    let names: Vec<&str> = templates.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["acme/template-service", "acme/template-plain"]);
    let authored = &templates[0].1;
    assert_eq!(authored["metadata"]["title"], "Our service");
    assert_eq!(authored["metadata"]["annotations"]["backstage.io/managed-by-location"], format!("url:{GOOD}"));
    assert_eq!(templates[1].1["metadata"]["annotations"]["openchoreo.io/ctd-generated"], "true", "the type without a URL is generated");

    let stale: std::collections::BTreeSet<(&str, &str)> = report.stale.iter().map(|s| (s.scope.as_str(), s.reason.as_str())).collect();
    assert_eq!(
        stale,
        [
            (
                "ns/acme/templates/web",
                format!("Failed to read the template of ComponentType web in namespace acme from {DOWN}: 503 Service Unavailable").as_str()
            ),
            ("cluster/templates/broken", format!("the template at {BROKEN}: no kind: Template document (kinds found: Component)").as_str()),
        ]
        .into(),
        "a failed read and an invalid text keep the last good copy"
    );
    let skipped: Vec<String> = report.skipped.iter().map(|d| format!("{}: {}", d.location, d.message)).collect();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0].contains("worker") && skipped[0].contains("elsewhere.example.org is not in backend.reading.allow"), "{skipped:?}");
}
