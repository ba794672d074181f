//! Hand-authored Templates through the CLI's host (docs/entities.md, "Hand-authored Templates"): a
//! component type naming a URL gets the Template read from a real loopback server, allowed by
//! `backend.reading.allow`; a failed read or an invalid text keeps the last good copy; a URL that is not
//! allowed is never requested and gives one warning naming the key; removing the annotation brings the
//! generated Template back.

use host_harness::logging::{Level, Logger};
use host_harness::runner::RunOutcome;
use host_harness::state::StoredEntity;
use integration_tests::template_server::{Answer, TemplateServer};
use integration_tests::{sample_api, syncer};
use serde_json::Value;

const URL_KEY: &str = "scaffolder.openchoreo.dev/backstage-template-url";
const AUTHORED: &str = "apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: golden-path-service
  title: Service (golden path)
spec:
  owner: group:default/platform
  type: service
  steps:
    - id: fetch
      action: fetch:template
      input:
        url: ./skeleton
";

fn template(o: &RunOutcome, name: &str) -> Option<Value> {
    o.entities
        .iter()
        .find(|e: &&StoredEntity| e.kind == "Template" && e.namespace == "openchoreo-cluster" && e.name == name)
        .map(|e| serde_json::from_str(e.entity.get()).unwrap())
}

fn annotate(api: &host_harness::fixture::FixtureApi, ty: &str, url: Option<&str>) {
    api.update(|d| {
        let t = d.cluster.get_mut("clustercomponenttypes").unwrap().iter_mut().find(|t| t["metadata"]["name"] == ty).unwrap();
        let annotations = t["metadata"].as_object_mut().unwrap().entry("annotations").or_insert_with(|| serde_json::json!({}));
        match url {
            Some(u) => annotations[URL_KEY] = Value::String(u.into()),
            None => {
                annotations.as_object_mut().unwrap().remove(URL_KEY);
            }
        }
    });
}

#[test]
fn a_named_template_is_read_kept_through_failures_and_never_read_where_not_allowed() {
    let server = TemplateServer::start();
    server.answer("/templates/service.yaml", Answer::ok(AUTHORED));
    let service_url = server.url("/templates/service.yaml");
    let private_url = server.url("/private/worker.yaml");
    let api = sample_api();
    annotate(&api, "service", Some(&service_url));
    annotate(&api, "worker", Some(&private_url));
    let reading = format!("backend:\n  reading:\n    allow:\n      - host: {}\n        paths: [/templates/]\n", server.host);
    let logger = Logger::capture();
    let mut s = syncer(&api, &reading, logger.clone(), None);

    let first = s.run_once().expect("first run");
    let authored = template(&first, "template-service").expect("the authored Template");
    assert_eq!(authored["metadata"]["title"], "Service (golden path)");
    assert_eq!(authored["spec"]["steps"][0]["input"]["url"], "./skeleton");
    let annotations = &authored["metadata"]["annotations"];
    assert_eq!(annotations["backstage.io/managed-by-location"], format!("url:{service_url}"));
    assert_eq!(annotations["openchoreo.io/ctd-generated"], "false");
    assert_eq!(annotations["openchoreo.io/ctd-kind"], "ClusterComponentType");
    assert!(template(&first, "template-worker").is_none(), "a URL not allowed gives no Template");
    assert!(template(&first, "template-web-application").is_some(), "types without a URL keep the generated one");
    assert_eq!(server.seen(), ["/templates/service.yaml"], "the URL that is not allowed is never requested");
    let schema_paths: Vec<String> = api.requests().into_iter().map(|r| r.path).filter(|p| p.ends_with("/schema")).collect();
    assert!(!schema_paths.iter().any(|p| p.contains("/service/") || p.contains("/worker/")), "{schema_paths:?}");
    let warnings: Vec<String> = logger.lines().into_iter().filter(|(l, _)| *l == Level::Warn).map(|(_, m)| m).collect();
    let about_worker: Vec<&String> = warnings.iter().filter(|m| m.contains(&private_url)).collect();
    assert_eq!(about_worker.len(), 1, "{warnings:?}");
    assert!(about_worker[0].contains("backend.reading.allow"), "{}", about_worker[0]);

    // The server fails, then serves something that is not a Template: the last good copy stays.
    for answer in [Answer::status(503), Answer::ok("kind: Component\nmetadata: {name: x}\n")] {
        server.answer("/templates/service.yaml", answer);
        let o = s.run_once().expect("run with the template unreadable");
        assert_eq!(template(&o, "template-service").as_ref(), Some(&authored), "the last good copy is kept");
        assert!(o.stale.iter().any(|(scope, _)| scope == "cluster/templates/service"), "{:?}", o.stale);
    }

    // A redirect out of the allowed paths is not followed.
    server.answer("/templates/service.yaml", Answer::redirect(&private_url));
    let o = s.run_once().expect("run with a redirect");
    assert!(template(&o, "template-service").is_none(), "a redirect that is not allowed is refused like the URL itself");
    assert!(!server.seen().contains(&"/private/worker.yaml".to_string()));

    // The annotation removed: the generated Template is back.
    annotate(&api, "service", None);
    let o = s.run_once().expect("run without the annotation");
    let generated = template(&o, "template-service").expect("the generated Template");
    assert_eq!(generated["metadata"]["annotations"]["openchoreo.io/ctd-generated"], "true");
}
