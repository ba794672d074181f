//! `openchoreo-catalog dist`: the transform component as an artefact a portal can take as it is.

use host_harness::dist::{self, Origin};
use host_harness::runtime::Limits;
use host_harness::transform::Transform;
use sha2::{Digest, Sha256};
use std::process::Command;

#[test]
fn the_artefact_carries_its_metadata_its_wit_and_a_checksum_that_holds() {
    let scratch = tempfile::Builder::new().prefix("openchoreo-dist-").tempdir().unwrap();
    let dir = scratch.path();
    let origin = Origin { source: "https://example.com/openchoreo-catalog".into(), revision: Some("abc123".into()) };
    let written = dist::write(dir, &origin).unwrap();
    let name = format!("openchoreo-catalog-transform-{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(written.component, dir.join(format!("{name}.wasm")));

    let wasm = std::fs::read(&written.component).unwrap();
    let digest: String = Sha256::digest(&wasm).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(std::fs::read_to_string(&written.sha256).unwrap(), format!("{digest}  {name}.wasm\n"), "sha256sum -c reads it");

    let payload = wasm_metadata::Payload::from_binary(&wasm).unwrap();
    let m = payload.metadata();
    assert_eq!(m.name.as_deref(), Some("openchoreo-catalog-transform"));
    assert_eq!(m.version.as_ref().map(ToString::to_string).as_deref(), Some(env!("CARGO_PKG_VERSION")));
    assert_eq!(m.source.as_ref().map(ToString::to_string).as_deref(), Some("https://example.com/openchoreo-catalog"));
    assert_eq!(m.licenses.as_ref().map(ToString::to_string).as_deref(), Some("Apache-2.0"));
    assert_eq!(m.revision.as_ref().map(ToString::to_string).as_deref(), Some("abc123"));

    let wit = std::fs::read_to_string(&written.wit).unwrap();
    assert_eq!(wit, std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../wit/world.wit")).unwrap());

    // Still the same component: a host runs it with nothing provided.
    let mut t = Transform::new(&wasm, Limits::default()).expect("the artefact instantiates with an empty linker");
    let batch = t.translate_resource("Namespace", None, r#"{"metadata":{"name":"acme"}}"#, None).unwrap().unwrap();
    assert_eq!(host_harness::batch::count(&batch), 1);
}

#[test]
fn the_cli_writes_it_and_refuses_a_source_that_is_not_a_url() {
    let scratch = tempfile::Builder::new().prefix("openchoreo-dist-cli-").tempdir().unwrap();
    let dir = scratch.path();
    let cli = env!("CARGO_BIN_EXE_openchoreo-catalog");
    let out = Command::new(cli).args(["dist", "--out"]).arg(dir).args(["--source", "https://example.com/x"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.lines().last().unwrap().starts_with("sha256 "), "{printed}");
    assert_eq!(std::fs::read_dir(dir).unwrap().count(), 3);
    let out = Command::new(cli).args(["dist", "--out"]).arg(dir).args(["--source", "not a url"]).output().unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(r#"--source "not a url" is not a URL"#),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
