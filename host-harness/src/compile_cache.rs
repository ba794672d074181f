//! Compiled-component cache: cranelift runs once per component build, later starts deserialize.
//! The directory is `$OPENCHOREO_CACHE_DIR`, else `$XDG_CACHE_HOME/openchoreo-catalog`, else
//! `~/.cache/openchoreo-catalog`; `OPENCHOREO_CACHE_DIR=off` disables it.

use anyhow::Result;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use wasmtime::Engine;
use wasmtime::component::Component;

fn cache_dir() -> Option<PathBuf> {
    match std::env::var("OPENCHOREO_CACHE_DIR") {
        Ok(v) if v == "off" => return None,
        Ok(v) if !v.is_empty() => return Some(PathBuf::from(v)),
        _ => {}
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("openchoreo-catalog"))
}

/// Keyed by the component bytes, the wasmtime version and the engine's settings (runs and pure calls
/// compile differently), so a stale or foreign entry is never picked up.
fn cache_key(engine: &Engine, wasm: &[u8]) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    wasm.hash(&mut h);
    engine.precompile_compatibility_hash().hash(&mut h);
    env!("CARGO_PKG_VERSION").hash(&mut h);
    "wasmtime-48".hash(&mut h);
    std::env::consts::ARCH.hash(&mut h);
    format!("{:016x}", h.finish())
}

pub fn load(engine: &Engine, wasm: &[u8]) -> Result<Component> {
    let Some(dir) = cache_dir() else { return Ok(Component::new(engine, wasm)?) };
    let path = dir.join(format!("guest-{}.cwasm", cache_key(engine, wasm)));
    if path.is_file() {
        // SAFETY: the file is one this function wrote from our own embedded component, keyed by a
        // hash of its bytes; wasmtime additionally checks that it matches this engine's settings.
        #[allow(unsafe_code)]
        let cached = unsafe { Component::deserialize_file(engine, &path) };
        if let Ok(c) = cached {
            return Ok(c);
        }
    }
    let component = Component::new(engine, wasm)?;
    if let Ok(bytes) = component.serialize()
        && std::fs::create_dir_all(&dir).is_ok()
    {
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, bytes).is_ok() {
            let _ = std::fs::rename(&tmp, &path);
        }
    }
    Ok(component)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime::Config;

    #[test]
    fn code_compiled_with_and_without_epoch_checks_is_cached_apart() {
        let engine = |epochs: bool| Engine::new(Config::new().epoch_interruption(epochs)).unwrap();
        let wasm = b"the same component bytes";
        assert_ne!(cache_key(&engine(true), wasm), cache_key(&engine(false), wasm));
        assert_eq!(cache_key(&engine(true), wasm), cache_key(&engine(true), wasm));
    }
}
