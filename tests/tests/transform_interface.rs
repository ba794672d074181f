//! The shipped `transform` component checked with wasm-tools (its libraries): it validates, its WIT is
//! exactly the `transform` world of `wit/` (no more, no less), and it imports nothing but the types of
//! its own package, which carry no functions. A host instantiates it with an empty linker.

use host_harness::transform::TRANSFORM_COMPONENT;
use std::collections::BTreeMap;
use std::path::Path;
use wit_parser::{Function, Resolve, Type, TypeDefKind, WorldId, WorldItem};

/// A type written out in full, so that two resolves can be compared.
fn ty(r: &Resolve, t: &Type) -> String {
    let Type::Id(id) = t else { return format!("{t:?}").to_lowercase() };
    let def = &r.types[*id];
    let name = def.name.clone().unwrap_or_default();
    let body = match &def.kind {
        TypeDefKind::Record(rec) => {
            format!("record{{{}}}", rec.fields.iter().map(|f| format!("{}:{}", f.name, ty(r, &f.ty))).collect::<Vec<_>>().join(","))
        }
        TypeDefKind::Variant(v) => format!(
            "variant{{{}}}",
            v.cases
                .iter()
                .map(|c| format!("{}:{}", c.name, c.ty.as_ref().map(|t| ty(r, t)).unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        ),
        TypeDefKind::Enum(e) => format!("enum{{{}}}", e.cases.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join(",")),
        TypeDefKind::List(t) => format!("list<{}>", ty(r, t)),
        TypeDefKind::Option(t) => format!("option<{}>", ty(r, t)),
        TypeDefKind::Result(res) => format!(
            "result<{},{}>",
            res.ok.as_ref().map(|t| ty(r, t)).unwrap_or_default(),
            res.err.as_ref().map(|t| ty(r, t)).unwrap_or_default()
        ),
        TypeDefKind::Tuple(t) => format!("tuple<{}>", t.types.iter().map(|t| ty(r, t)).collect::<Vec<_>>().join(",")),
        TypeDefKind::Type(t) => ty(r, t),
        other => format!("{other:?}"),
    };
    format!("{name}={body}")
}

fn func(r: &Resolve, f: &Function) -> String {
    let params: Vec<String> = f.params.iter().map(|p| format!("{}:{}", p.name, ty(r, &p.ty))).collect();
    format!("{}({})->{}", f.name, params.join(","), f.result.as_ref().map(|t| ty(r, t)).unwrap_or_default())
}

/// Each imported or exported interface of a world, by its full name, with its functions.
fn items(r: &Resolve, items: &indexmap_like::Items) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for (key, item) in items {
        let name = r.name_world_key(key);
        let funcs = match item {
            WorldItem::Interface { id, .. } => r.interfaces[*id].functions.values().map(|f| func(r, f)).collect(),
            WorldItem::Function(f) => vec![func(r, f)],
            WorldItem::Type { id, .. } => vec![ty(r, &Type::Id(*id))],
        };
        out.insert(name, funcs);
    }
    out
}

mod indexmap_like {
    pub type Items = wit_parser::IndexMap<wit_parser::WorldKey, wit_parser::WorldItem>;
}

fn source_world() -> (Resolve, WorldId) {
    let mut resolve = Resolve::default();
    let wit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wit");
    let (pkg, _) = resolve.push_dir(&wit).expect("wit/ parses");
    let world = resolve.select_world(&[pkg], Some("transform")).expect("wit/ has the transform world");
    (resolve, world)
}

fn component_world() -> (Resolve, WorldId) {
    match wit_component::decode(TRANSFORM_COMPONENT).expect("the component's WIT decodes") {
        wit_component::DecodedWasm::Component(resolve, world) => (resolve, world),
        wit_component::DecodedWasm::WitPackage(..) => panic!("a WIT package, not a component"),
    }
}

#[test]
fn the_component_validates() {
    let mut v = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
    v.validate_all(TRANSFORM_COMPONENT).expect("the transform component is valid");
}

#[test]
fn its_exports_are_the_transform_world_of_wit_no_more_no_less() {
    let (sr, sw) = source_world();
    let (cr, cw) = component_world();
    let expected = items(&sr, &sr.worlds[sw].exports);
    let actual = items(&cr, &cr.worlds[cw].exports);
    assert!(!expected.is_empty());
    assert_eq!(actual, expected);
}

#[test]
fn it_imports_nothing_but_the_types_of_its_own_package() {
    let (sr, sw) = source_world();
    let (cr, cw) = component_world();
    let imports = items(&cr, &cr.worlds[cw].imports);
    let allowed = items(&sr, &sr.worlds[sw].imports);
    for (name, funcs) in &imports {
        assert!(name.starts_with("openchoreo:catalog/types@"), "the component imports {name}");
        assert!(funcs.is_empty(), "{name} imports functions: {funcs:?}");
        assert!(allowed.contains_key(name), "{name} is not in the transform world of wit/");
    }
    eprintln!("imports of the transform component: {:?}", imports.keys().collect::<Vec<_>>());
}

#[test]
fn an_empty_linker_instantiates_it() {
    let engine = wasmtime::Engine::new(wasmtime::Config::new().wasm_component_model(true)).unwrap();
    let component = wasmtime::component::Component::new(&engine, TRANSFORM_COMPONENT).unwrap();
    let linker = wasmtime::component::Linker::<()>::new(&engine);
    let mut store = wasmtime::Store::new(&engine, ());
    linker.instantiate(&mut store, &component).expect("no import to satisfy");
}
