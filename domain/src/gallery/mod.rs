//! The gallery's rules: which filters a listing may carry (prompt search, model, favourites) and which index
//! serves each, and how a multi-delete request is read and answered; what a share page shows and the featured
//! images in the modules below.

pub mod featured;
pub mod share_card;

use crate::error::DomainError;
use crate::generation::models::ModelCatalogue;
use crate::generation::GenerationId;

/// The longest prompt search, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;
/// The most generations one multi-delete may name.
pub const MAX_DELETE_IDS: usize = 100;

/// Prompt text to find: trimmed, 1 to `MAX_SEARCH_CHARS` characters, ASCII-lowercased (SQLite's `lower()` folds
/// only ASCII, so both sides fold the same way).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptSearch(String);

impl PromptSearch {
    /// `None` for an empty (or all-space) search: no filter.
    pub fn parse(raw: &str) -> Result<Option<Self>, DomainError> {
        let text = raw.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if text.chars().count() > MAX_SEARCH_CHARS {
            return Err(DomainError::bad_request("search_too_long", "Search for at most 200 characters."));
        }
        if text.chars().any(char::is_control) {
            return Err(DomainError::bad_request(
                "search_invalid_characters",
                "Search text must not contain control characters.",
            ));
        }
        Ok(Some(Self(text.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The index a filtered page walks in `created_at DESC, id DESC` order, so no listing sorts or scans the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GalleryIndex {
    /// `generations_by_account`: everything, or a prompt search alone.
    Account,
    /// `generations_by_account_model`.
    Model,
    /// `generations_favourites` (partial: favourites only); also serves favourites of one model.
    Favourites,
}

/// What a gallery listing shows; every part optional and combinable.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GalleryFilter {
    pub search: Option<PromptSearch>,
    pub model: Option<String>,
    pub favourites_only: bool,
}

impl GalleryFilter {
    /// Reads the raw `q`, `model` and `favourites` query parameters. A model must be in the catalogue (400
    /// `unknown_model`); `favourites` is `1`/`true` or `0`/`false` (400 `invalid_favourites_filter`).
    pub fn parse(
        q: Option<&str>,
        model: Option<&str>,
        favourites: Option<&str>,
        models: &ModelCatalogue,
    ) -> Result<Self, DomainError> {
        let search = match q {
            Some(raw) => PromptSearch::parse(raw)?,
            None => None,
        };
        let model = match model.map(str::trim).filter(|m| !m.is_empty()) {
            Some(id) => Some(
                models
                    .by_id(id)
                    .ok_or_else(|| DomainError::bad_request("unknown_model", "There is no such model to filter by."))?
                    .id
                    .clone(),
            ),
            None => None,
        };
        let favourites_only = match favourites.map(str::trim) {
            None | Some("" | "0" | "false") => false,
            Some("1" | "true") => true,
            Some(_) => {
                return Err(DomainError::bad_request(
                    "invalid_favourites_filter",
                    "favourites must be 1 (favourites only) or 0.",
                ))
            }
        };
        Ok(Self { search, model, favourites_only })
    }

    /// Favourites are few per account, so their partial index wins even with a model too; the prompt search is
    /// checked on the rows the chosen index yields.
    pub fn index(&self) -> GalleryIndex {
        if self.favourites_only {
            GalleryIndex::Favourites
        } else if self.model.is_some() {
            GalleryIndex::Model
        } else {
            GalleryIndex::Account
        }
    }
}

/// The generations a multi-delete names: 1 to `MAX_DELETE_IDS`, duplicates dropped (first kept). An id we never
/// issue stays in the list: it is answered as not found, like any id that is not the caller's.
pub fn delete_ids(raw: &[String]) -> Result<Vec<String>, DomainError> {
    if raw.is_empty() {
        return Err(DomainError::bad_request("no_ids", "Name at least one generation to delete."));
    }
    if raw.len() > MAX_DELETE_IDS {
        return Err(DomainError::bad_request("too_many_ids", "Delete at most 100 generations at once."));
    }
    let mut ids: Vec<String> = Vec::with_capacity(raw.len());
    for id in raw {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    Ok(ids)
}

/// Only well-formed ids reach the database; the rest can be nobody's.
pub fn well_formed(ids: &[String]) -> Vec<GenerationId> {
    ids.iter().filter_map(|id| GenerationId::parse(id)).collect()
}

/// The codes a single delete answers with (`generation::undeletable`), per id here.
pub const IN_PROGRESS: &str = "generation_in_progress";
pub const NOT_FOUND: &str = "generation_not_found";
pub const IN_USE: &str = "generation_in_use";

/// A requested generation of the caller's that the batch left in place: unfinished, or finished but one of its
/// images is a reference of a generation still running (APIPod fetches it from the stored object).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remaining {
    pub id: String,
    pub in_progress: bool,
}

/// A requested id that was not deleted, and why (the code a single delete would have answered).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub id: String,
    pub code: &'static str,
}

/// What a multi-delete did, in request order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeleteOutcome {
    pub deleted: Vec<String>,
    pub kept: Vec<Kept>,
}

/// Sorts the requested ids by what the batch found: deleted, still the caller's (in progress, or in use as a
/// reference), or nobody's the caller can see (not found).
pub fn delete_outcome(requested: &[String], deleted: &[String], still_there: &[Remaining]) -> DeleteOutcome {
    let mut outcome = DeleteOutcome::default();
    for id in requested {
        if deleted.contains(id) {
            outcome.deleted.push(id.clone());
        } else {
            let code = match still_there.iter().find(|r| &r.id == id) {
                Some(r) if r.in_progress => IN_PROGRESS,
                Some(_) => IN_USE,
                None => NOT_FOUND,
            };
            outcome.kept.push(Kept { id: id.clone(), code });
        }
    }
    outcome
}

#[cfg(test)]
mod tests;
