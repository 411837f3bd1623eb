//! A file with its own `Error` type glob-imports the prelude and keeps using its `Error`;
//! components return `BoxError`, and `InputPath`/`OutputPath` come with the prelude.
use kfp_core::prelude::*;

#[derive(Debug)]
enum Error {
    Empty,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the file is empty")
    }
}

impl std::error::Error for Error {}

fn first_line(text: &str) -> Result<&str, Error> {
    text.lines().next().ok_or(Error::Empty)
}

#[component]
fn head(data: InputPath, out: OutputPath) -> Result<(), BoxError> {
    let text = std::fs::read_to_string(&data)?;
    std::fs::write(&out, first_line(&text)?)?;
    Ok(())
}

fn main() {
    assert!(matches!(first_line(""), Err(Error::Empty)));
    let _ = head::spec();
}
