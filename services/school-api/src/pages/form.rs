//! Reading the upload form (multipart/form-data) as a stream with explicit limits, so that a file
//! that is too large gets a page saying so instead of a bare error, and only the two expected
//! fields are kept.

use actix_multipart::{Field, Multipart};
use actix_web::HttpRequest;
use actix_web::http::header;
use futures_util::StreamExt;

/// The posted form.
#[derive(Debug)]
pub struct UploadForm {
    pub csrf: String,
    /// The file's own name, without any directory a browser may have sent along.
    pub bestandsnaam: String,
    pub inhoud: Vec<u8>,
}

/// Why the form could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormError {
    /// The file is larger than allowed.
    TooLarge,
    /// Not a multipart form, or a broken one.
    Unreadable,
    /// No file was chosen.
    NoFile,
}

/// Room for the multipart framing and the small fields on top of the file itself.
const OVERHEAD: usize = 64 * 1024;
/// The CSRF value is 43 characters; anything much longer is not ours.
const MAX_SMALL_FIELD: usize = 1024;

/// Read the `csv` file (at most `max_file` bytes) and the `csrf` field.
pub async fn read(req: &HttpRequest, mut multipart: Multipart, max_file: usize) -> Result<UploadForm, FormError> {
    // Browsers send the length up front: refuse before reading a byte of a file that cannot fit.
    let length = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if length.is_some_and(|n| n > max_file.saturating_add(OVERHEAD)) {
        return Err(FormError::TooLarge);
    }
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|_| FormError::Unreadable)?;
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "csv" => {
                let bestandsnaam = field
                    .content_disposition()
                    .and_then(|cd| cd.get_filename())
                    .map(clean_file_name)
                    .unwrap_or_default();
                let inhoud = read_field(&mut field, max_file).await?;
                file = Some((bestandsnaam, inhoud));
            }
            "csrf" => {
                let bytes = read_field(&mut field, MAX_SMALL_FIELD).await.map_err(|_| FormError::Unreadable)?;
                csrf = String::from_utf8(bytes).map_err(|_| FormError::Unreadable)?;
            }
            // Unknown fields are read (the stream must move on) and dropped.
            _ => {
                read_field(&mut field, MAX_SMALL_FIELD).await.map_err(|_| FormError::Unreadable)?;
            }
        }
    }
    match file {
        // A file input left empty still sends a part, without a name and without content.
        Some((bestandsnaam, inhoud)) if !(bestandsnaam.is_empty() && inhoud.is_empty()) => {
            let bestandsnaam = if bestandsnaam.is_empty() { "bestand.csv".to_owned() } else { bestandsnaam };
            Ok(UploadForm { csrf, bestandsnaam, inhoud })
        }
        _ => Err(FormError::NoFile),
    }
}

async fn read_field(field: &mut Field, limit: usize) -> Result<Vec<u8>, FormError> {
    let mut buf = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|_| FormError::Unreadable)?;
        if buf.len() + chunk.len() > limit {
            return Err(FormError::TooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

/// The last path component of a sent file name, without control characters, at most 200 chars.
fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    base.chars().filter(|c| !c.is_control()).take(200).collect::<String>().trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_loses_directories_and_control_characters() {
        assert_eq!(clean_file_name("bpvo's 2026.csv"), "bpvo's 2026.csv");
        assert_eq!(clean_file_name("C:\\Users\\anouk\\export.csv"), "export.csv");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\u{0}b\nc.csv"), "abc.csv");
        assert_eq!(clean_file_name(&"x".repeat(500)).len(), 200);
    }
}
