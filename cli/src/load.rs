//! Reading a module from disk: binary `.wasm`, or `.wat` text compiled on the fly.

use std::path::Path;

/// The module's binary bytes, or a one-line reason they could not be had.
pub fn read_module(path: &Path) -> Result<Vec<u8>, String> {
    let bytes =
        std::fs::read(path).map_err(|err| format!("cannot read `{}`: {err}", path.display()))?;
    if !is_text(path, &bytes) {
        return Ok(bytes);
    }
    wat::parse_bytes(&bytes)
        .map(|binary| binary.into_owned())
        .map_err(|err| {
            let mut err = err;
            err.set_path(path);
            format!("invalid module text: {}", one_line(&err.to_string()))
        })
}

/// Text if it is named `.wat`, or if it does not start with the binary magic and reads as
/// UTF-8 starting with `(` or a comment. Anything else goes to the binary decoder, whose
/// message ("magic header not detected") fits garbage better than a text parse error.
fn is_text(path: &Path, bytes: &[u8]) -> bool {
    if path.extension().is_some_and(|ext| ext == "wat") {
        return true;
    }
    if bytes.starts_with(b"\0asm") {
        return false;
    }
    std::str::from_utf8(bytes).is_ok_and(|text| {
        let text = text.trim_start();
        text.starts_with('(') || text.starts_with(";;")
    })
}

/// Folds the text parser's diagnostic (message, `--> file:line:col`, quoted source) into
/// one line: the message and its location.
fn one_line(message: &str) -> String {
    let first = message.lines().next().unwrap_or_default().trim();
    match message
        .lines()
        .find_map(|line| line.trim().strip_prefix("--> "))
    {
        Some(location) => format!("{first} at {location}"),
        None => first.to_owned(),
    }
}
