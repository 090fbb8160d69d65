//! Collation: mongod's `collation` document (`locale`, `strength`, `caseLevel`, `caseFirst`,
//! `numericOrdering`, `alternate`, `maxVariable`, `normalization`, `backwards`), validated with mongod's errors
//! and applied with ICU4X's collator (the Unicode collation algorithm with CLDR's tailorings, as mongod gets
//! them from ICU4C).
//!
//! A command's collation is *active* on its thread while it runs ([`enter`] returns the guard):
//! `bson_order::compare` and `bson_hash::hash_value` then compare and hash strings (and symbols, and the
//! strings inside documents and arrays) by the collation, so every matcher, sort, `$group`, `distinct`,
//! `$lookup`, `$addToSet` and expression comparison of the command follows it. With no active collation
//! (the simple one) one thread-local flag read is all a comparison pays.
//!
//! An index with a collation keys its strings by their collation sort keys ([`Collation::index_key`]), so
//! its order and its uniqueness are the collation's; the storage layer compares keys with the simple order.
//!
//! In: collation documents; out: [`Collation`] (compare, sort keys, the resolved spec mongod reports).
//! Depends on `icu_collator`, `icu_locale_core`, `icu_provider` and `icu_normalizer` (the compiled data, for
//! `backwards`).

use crate::engine::error_codes::ErrorCode;
use crate::engine::CommandError;
use bson::{Bson, Document};
use icu_collator::options::{AlternateHandling, CaseLevel, CollatorOptions, MaxVariable, Strength};
use icu_collator::preferences::{CollationCaseFirst, CollationNumericOrdering};
use icu_collator::{Collator, CollatorBorrowed, CollatorPreferences};
use std::cell::{Cell, RefCell};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The ICU version mongod 7.0 reports as a collation's `version`.
pub const ICU_VERSION: &str = "57.1";

/// The locales mongod 7.0 accepts (its manual's "Supported Languages and Locales"), with the collation
/// variants each takes (`locale@collation=variant`).
const LOCALES: &[(&str, &[&str])] = &[
    ("af", &[]),
    ("sq", &[]),
    ("am", &[]),
    ("ar", &["compat"]),
    ("hy", &[]),
    ("as", &[]),
    ("az", &["search"]),
    ("bn", &["traditional"]),
    ("be", &[]),
    ("bs", &["search"]),
    ("bs_Cyrl", &[]),
    ("bg", &[]),
    ("my", &[]),
    ("ca", &["search"]),
    ("chr", &[]),
    ("zh", &["big5han", "gb2312han", "unihan", "zhuyin"]),
    ("zh_Hant", &[]),
    ("hr", &["search"]),
    ("cs", &["search"]),
    ("da", &["search"]),
    ("nl", &[]),
    ("dz", &[]),
    ("en", &[]),
    ("en_US", &[]),
    ("en_US_POSIX", &[]),
    ("eo", &[]),
    ("et", &[]),
    ("ee", &[]),
    ("fo", &[]),
    ("fil", &[]),
    ("fi", &["search", "traditional"]),
    ("fr", &[]),
    ("fr_CA", &[]),
    ("gl", &["search"]),
    ("ka", &[]),
    ("de", &["search", "eor", "phonebook"]),
    ("de_AT", &["phonebook"]),
    ("el", &[]),
    ("gu", &[]),
    ("ha", &[]),
    ("haw", &[]),
    ("he", &["search"]),
    ("hi", &[]),
    ("hu", &[]),
    ("is", &["search"]),
    ("ig", &[]),
    ("smn", &["search"]),
    ("id", &[]),
    ("ga", &[]),
    ("it", &[]),
    ("ja", &["unihan"]),
    ("kl", &["search"]),
    ("kn", &["traditional"]),
    ("kk", &[]),
    ("km", &[]),
    ("kok", &[]),
    ("ko", &["search", "searchjl", "unihan"]),
    ("ky", &[]),
    ("lkt", &[]),
    ("lo", &[]),
    ("lv", &[]),
    ("ln", &["phonetic"]),
    ("lt", &[]),
    ("dsb", &[]),
    ("lb", &[]),
    ("mk", &[]),
    ("ms", &[]),
    ("ml", &[]),
    ("mt", &[]),
    ("mr", &[]),
    ("mn", &[]),
    ("ne", &[]),
    ("se", &["search"]),
    ("nb", &["search"]),
    ("nn", &["search"]),
    ("or", &[]),
    ("om", &[]),
    ("ps", &[]),
    ("fa", &[]),
    ("fa_AF", &[]),
    ("pl", &[]),
    ("pt", &[]),
    ("pa", &[]),
    ("ro", &[]),
    ("ru", &[]),
    ("sr", &[]),
    ("sr_Latn", &["search"]),
    ("si", &["dictionary"]),
    ("sk", &["search"]),
    ("sl", &[]),
    ("es", &["search", "traditional"]),
    ("sw", &[]),
    ("sv", &["search"]),
    ("ta", &[]),
    ("te", &[]),
    ("th", &[]),
    ("bo", &[]),
    ("to", &[]),
    ("tr", &["search"]),
    ("uk", &[]),
    ("hsb", &[]),
    ("ur", &[]),
    ("ug", &[]),
    ("vi", &["traditional"]),
    ("wae", &[]),
    ("cy", &[]),
    ("yi", &["search"]),
    ("yo", &[]),
    ("zu", &[]),
];

/// A non-simple collation: its resolved spec and its collator.
pub struct Collation {
    spec: Document,
    collator: Icu,
}

/// The ICU4X collator: borrowed from the compiled data when the locale's own `backwards` applies, owned
/// when it was built through [`BackwardsProvider`] (its data is still the compiled data's).
enum Icu {
    Compiled(CollatorBorrowed<'static>),
    Backwards(Box<Collator>),
}

impl Icu {
    #[inline]
    fn with<R>(&self, f: impl FnOnce(&CollatorBorrowed<'_>) -> R) -> R {
        match self {
            Icu::Compiled(c) => f(c),
            Icu::Backwards(c) => f(&c.as_borrowed()),
        }
    }
}

impl std::fmt::Debug for Collation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Collation({})", self.spec)
    }
}

impl PartialEq for Collation {
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
    }
}

/// Two optional collations (`None`: simple) are the same collation.
pub fn same(a: Option<&Arc<Collation>>, b: Option<&Arc<Collation>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => Arc::ptr_eq(x, y) || x.spec == y.spec,
        _ => false,
    }
}

impl Collation {
    /// Parses a `collation` value: `Ok(None)` for the simple collation (`{locale: "simple"}`), the collation
    /// otherwise; mongod's errors for a malformed document. Collators are cached by spec.
    pub fn parse(v: &Bson) -> Result<Option<Arc<Collation>>, CommandError> {
        let Bson::Document(spec) = v else {
            return Err(CommandError::type_mismatch(
                "BSON field 'collation' is the wrong type, expected type 'object'",
            ));
        };
        Self::parse_doc(spec)
    }

    /// [`parse`](Self::parse) for a document.
    pub fn parse_doc(spec: &Document) -> Result<Option<Arc<Collation>>, CommandError> {
        static CACHE: OnceLock<Mutex<HashMap<String, Arc<Collation>>>> = OnceLock::new();
        let locale = match spec.get("locale") {
            None => {
                return Err(CommandError::new(
                    ErrorCode::NoSuchKey,
                    "Missing expected field \"locale\"",
                ))
            }
            Some(Bson::String(s)) => s.as_str(),
            Some(other) => return Err(wrong_type("locale", "string", other)),
        };
        if locale.contains('\0') {
            return Err(CommandError::bad_value(format!(
                "Field 'locale' cannot contain null byte. Collation spec: {spec}"
            )));
        }
        if locale == "simple" {
            if spec.len() > 1 {
                return Err(CommandError::failed_to_parse(format!(
                    "If locale=simple, no other fields should be present in: {spec}"
                )));
            }
            return Ok(None);
        }
        let key = spec.to_string();
        let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
        if let Some(c) = cache.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(Some(c));
        }
        let c = Arc::new(build(spec, locale)?);
        if let Ok(mut m) = cache.lock() {
            if m.len() > 1024 {
                m.clear();
            }
            m.insert(key, Arc::clone(&c));
        }
        Ok(Some(c))
    }

    /// The resolved spec as mongod reports it (listCollections, listIndexes, explain): every field.
    pub fn spec(&self) -> &Document {
        &self.spec
    }

    /// Compares two strings under this collation.
    pub fn compare(&self, a: &str, b: &str) -> Ordering {
        self.collator.with(|c| c.compare(a, b))
    }

    /// The collation sort key of `s`: byte order of keys is this collation's order of strings, equal keys
    /// are equal strings under it.
    pub fn sort_key(&self, s: &str) -> Vec<u8> {
        let mut k = Vec::with_capacity(s.len() * 2 + 8);
        self.collator.with(|c| {
            let _ = c.write_sort_key_to(s, &mut k);
        });
        k
    }

    /// `v` as an index with this collation keys it: every string (also inside documents and arrays)
    /// replaced by its sort key, carried as a string whose byte order is the key's (each key byte one
    /// code point, U+0000 to U+00FF, which UTF-8 orders as the bytes), so the index's simple order and
    /// equality are this collation's.
    pub fn index_key(&self, v: &Bson) -> Bson {
        match v {
            Bson::String(s) | Bson::Symbol(s) => {
                Bson::String(self.sort_key(s).iter().map(|&b| char::from(b)).collect())
            }
            Bson::Document(d) => Bson::Document(
                d.iter()
                    .map(|(k, v)| (k.clone(), self.index_key(v)))
                    .collect(),
            ),
            Bson::Array(a) => Bson::Array(a.iter().map(|v| self.index_key(v)).collect()),
            other => other.clone(),
        }
    }
}

fn wrong_type(field: &str, expected: &str, got: &Bson) -> CommandError {
    CommandError::type_mismatch(format!(
        "\"{field}\" had the wrong type. Expected {expected}, found {}",
        crate::engine::bson_order::type_name(got)
    ))
}

fn get_bool(spec: &Document, field: &str) -> Result<Option<bool>, CommandError> {
    match spec.get(field) {
        None => Ok(None),
        Some(Bson::Boolean(b)) => Ok(Some(*b)),
        Some(other) => Err(wrong_type(field, "bool", other)),
    }
}

fn get_str<'a>(spec: &'a Document, field: &str) -> Result<Option<&'a str>, CommandError> {
    match spec.get(field) {
        None => Ok(None),
        Some(Bson::String(s)) => Ok(Some(s)),
        Some(other) => Err(wrong_type(field, "string", other)),
    }
}

/// The BCP 47 tag ICU4X loads for a mongod locale ID (`de_AT@collation=phonebook` -> `de-AT-u-co-phonebk`);
/// `None` when mongod does not take the ID.
fn bcp47(id: &str) -> Option<String> {
    let (base, variant) = match id.split_once("@collation=") {
        Some((b, v)) => (b, Some(v)),
        None => (id, None),
    };
    let (_, variants) = LOCALES.iter().find(|(l, _)| *l == base)?;
    let mut tag = match base {
        "en_US_POSIX" => "en-US-u-va-posix".to_string(),
        b => b.replace('_', "-"),
    };
    if let Some(v) = variant {
        if !variants.contains(&v) {
            return None;
        }
        let co = match v {
            "phonebook" => "phonebk",
            "traditional" => "trad",
            "dictionary" => "dict",
            "gb2312han" => "gb2312",
            other => other,
        };
        if tag.contains("-u-") {
            tag.push_str("-co-");
        } else {
            tag.push_str("-u-co-");
        }
        tag.push_str(co);
    }
    Some(tag)
}

fn invalid_locale(spec: &Document) -> CommandError {
    CommandError::bad_value(format!("Field 'locale' is invalid in: {spec}"))
}

fn build(spec: &Document, locale: &str) -> Result<Collation, CommandError> {
    if locale.is_empty() {
        return Err(CommandError::bad_value(format!(
            "Field 'locale' cannot be the empty string in: {spec}"
        )));
    }
    let tag = bcp47(locale).ok_or_else(|| invalid_locale(spec))?;
    let loc = icu_locale_core::Locale::try_from_str(&tag).map_err(|_| invalid_locale(spec))?;
    let mut prefs = CollatorPreferences::from(&loc);
    let mut opts = CollatorOptions::default();

    // mongod's order: caseLevel, caseFirst, strength, numericOrdering, alternate, maxVariable,
    // normalization, backwards, version; then unknown fields; then the combinations.
    let case_level = get_bool(spec, "caseLevel")?;
    if let Some(c) = case_level {
        opts.case_level = Some(if c { CaseLevel::On } else { CaseLevel::Off });
    }
    if let Some(cf) = get_str(spec, "caseFirst")? {
        prefs.case_first = Some(match cf {
            "upper" => CollationCaseFirst::Upper,
            "lower" => CollationCaseFirst::Lower,
            "off" => CollationCaseFirst::False,
            other => {
                return Err(CommandError::failed_to_parse(format!(
                    "Field 'caseFirst' must be 'upper', 'lower', or 'off'. Got: {other}"
                )))
            }
        });
    }
    if let Some(v) = spec.get("strength") {
        let n = match v {
            Bson::Int32(i) => i64::from(*i),
            Bson::Int64(i) => *i,
            Bson::Double(d) if d.fract() == 0.0 && d.abs() < 9.2e18 => *d as i64,
            Bson::Double(d) => {
                return Err(CommandError::bad_value(format!(
                    "Expected field \"strength\" to have a value exactly representable as a 64-bit integer, but found strength: {d}"
                )))
            }
            Bson::Decimal128(_) => {
                return Err(CommandError::bad_value(
                    "Expected field \"strength\" to have a value exactly representable as a 64-bit integer",
                ))
            }
            other => {
                return Err(CommandError::type_mismatch(format!(
                    "Expected field \"strength\" to have numeric type, but found {}",
                    crate::engine::bson_order::type_name(other)
                )))
            }
        };
        opts.strength = Some(match n {
            1 => Strength::Primary,
            2 => Strength::Secondary,
            3 => Strength::Tertiary,
            4 => Strength::Quaternary,
            5 => Strength::Identical,
            _ => {
                return Err(CommandError::failed_to_parse(format!(
                    "Field 'strength' must be an integer 1 through 5. Got: {n}"
                )))
            }
        });
    }
    if let Some(n) = get_bool(spec, "numericOrdering")? {
        prefs.numeric_ordering = Some(if n {
            CollationNumericOrdering::True
        } else {
            CollationNumericOrdering::False
        });
    }
    if let Some(a) = get_str(spec, "alternate")? {
        opts.alternate_handling = Some(match a {
            "non-ignorable" => AlternateHandling::NonIgnorable,
            "shifted" => AlternateHandling::Shifted,
            other => {
                return Err(CommandError::failed_to_parse(format!(
                    "Field 'alternate' must be 'non-ignorable' or 'shifted'. Got: {other}"
                )))
            }
        });
    }
    if let Some(m) = get_str(spec, "maxVariable")? {
        opts.max_variable = Some(match m {
            "punct" => MaxVariable::Punctuation,
            "space" => MaxVariable::Space,
            other => {
                return Err(CommandError::failed_to_parse(format!(
                    "Field 'maxVariable' must be 'punct' or 'space'. Got: {other}"
                )))
            }
        });
    }
    let normalization = get_bool(spec, "normalization")?.unwrap_or(false);
    let backwards_default = locale == "fr_CA";
    let backwards = get_bool(spec, "backwards")?;
    if let Some(v) = get_str(spec, "version")? {
        if v != ICU_VERSION {
            return Err(CommandError::bad_value(format!(
                "Requested collation version {v} but the only available collator version was {ICU_VERSION}. \
                 Requested collation spec: {spec}"
            )));
        }
    }
    const KNOWN: &[&str] = &[
        "locale",
        "caseLevel",
        "caseFirst",
        "strength",
        "numericOrdering",
        "alternate",
        "maxVariable",
        "normalization",
        "backwards",
        "version",
    ];
    if spec.keys().any(|k| !KNOWN.contains(&k.as_str())) {
        return Err(CommandError::failed_to_parse(format!(
            "Collation spec contains unknown field. Collation spec: {spec}"
        )));
    }
    let failed = |e: icu_provider::DataError| {
        CommandError::new(
            ErrorCode::OperationFailed,
            format!("Failed to create collator: {e}. Collation spec: {spec}"),
        )
    };
    let collator = match backwards {
        Some(b) if b != backwards_default => Icu::Backwards(Box::new(
            Collator::try_new_unstable(&BackwardsProvider(b), prefs, opts).map_err(failed)?,
        )),
        _ => Icu::Compiled(Collator::try_new(prefs, opts).map_err(failed)?),
    };
    let r = collator.with(|c| c.resolved_options());
    let strength = match r.strength {
        Strength::Primary => 1,
        Strength::Secondary => 2,
        Strength::Tertiary => 3,
        Strength::Quaternary => 4,
        _ => 5,
    };
    let case_first = match r.case_first {
        CollationCaseFirst::Upper => "upper",
        CollationCaseFirst::Lower => "lower",
        _ => "off",
    };
    let backwards = backwards.unwrap_or(backwards_default);
    let mut resolved = Document::new();
    resolved.insert("locale", locale);
    resolved.insert("caseLevel", r.case_level == CaseLevel::On);
    resolved.insert("caseFirst", case_first);
    resolved.insert("strength", strength);
    resolved.insert(
        "numericOrdering",
        r.numeric == CollationNumericOrdering::True,
    );
    resolved.insert(
        "alternate",
        if r.alternate_handling == AlternateHandling::Shifted {
            "shifted"
        } else {
            "non-ignorable"
        },
    );
    resolved.insert(
        "maxVariable",
        if r.max_variable == MaxVariable::Space {
            "space"
        } else {
            "punct"
        },
    );
    resolved.insert("normalization", normalization);
    resolved.insert("backwards", backwards);
    resolved.insert("version", ICU_VERSION);
    if backwards && strength == 1 {
        return Err(CommandError::bad_value(format!(
            "'backwards' is invalid with 'strength' of 1 in: {resolved}"
        )));
    }
    if case_first != "off" && r.case_level != CaseLevel::On && strength <= 2 {
        return Err(CommandError::bad_value(format!(
            "'caseFirst' is invalid unless 'caseLevel' is on or 'strength' is greater than 2 in: {resolved}"
        )));
    }
    if locale.ends_with("@collation=search") || locale.ends_with("@collation=searchjl") {
        return Err(CommandError::new(
            ErrorCode::NotImplemented,
            format!("collation locale '{locale}' is not supported by the embedded engine (ICU4X ships no search collation data)"),
        ));
    }
    Ok(Collation {
        spec: resolved,
        collator,
    })
}

/// The compiled collation and normalizer data with the backward-secondary bit of the locale's collation
/// metadata set (`true`) or cleared (`false`): ICU4X reads `backwards` only from that bit (the French
/// Canadian tailoring sets it), so this is how a collation's `backwards` option reaches the collator.
struct BackwardsProvider(bool);

/// Bit 7 of `CollationMetadata::bits`: backward secondary weights (ICU4X's `BACWARD_SECOND_LEVEL_MASK`).
const BACKWARD_SECOND_LEVEL: u32 = 1 << 7;

macro_rules! delegate {
    ($baked:path => $($marker:path),* $(,)?) => {$(
        impl icu_provider::DataProvider<$marker> for BackwardsProvider {
            fn load(
                &self,
                req: icu_provider::DataRequest,
            ) -> Result<icu_provider::DataResponse<$marker>, icu_provider::DataError> {
                icu_provider::DataProvider::<$marker>::load(&$baked, req)
            }
        }
    )*};
}

delegate!(icu_collator::provider::Baked =>
    icu_collator::provider::CollationSpecialPrimariesV1,
    icu_collator::provider::CollationRootV1,
    icu_collator::provider::CollationTailoringV1,
    icu_collator::provider::CollationDiacriticsV1,
    icu_collator::provider::CollationJamoV1,
    icu_collator::provider::CollationReorderingV1,
);
delegate!(icu_normalizer::provider::Baked =>
    icu_normalizer::provider::NormalizerNfdDataV1,
    icu_normalizer::provider::NormalizerNfdTablesV1,
);

impl icu_provider::DataProvider<icu_collator::provider::CollationMetadataV1> for BackwardsProvider {
    fn load(
        &self,
        req: icu_provider::DataRequest,
    ) -> Result<
        icu_provider::DataResponse<icu_collator::provider::CollationMetadataV1>,
        icu_provider::DataError,
    > {
        let mut resp =
            icu_provider::DataProvider::<icu_collator::provider::CollationMetadataV1>::load(
                &icu_collator::provider::Baked,
                req,
            )?;
        let bits = resp.payload.get().bits;
        let bits = if self.0 {
            bits | BACKWARD_SECOND_LEVEL
        } else {
            bits & !BACKWARD_SECOND_LEVEL
        };
        resp.payload =
            icu_provider::DataPayload::from_owned(icu_collator::provider::CollationMetadata {
                bits,
            });
        Ok(resp)
    }
}

thread_local! {
    /// Whether a collation is active on this thread (the one flag the simple path reads).
    static ON: Cell<bool> = const { Cell::new(false) };
    /// The active collation.
    static ACTIVE: RefCell<Option<Arc<Collation>>> = const { RefCell::new(None) };
}

/// Makes `c` the active collation of this thread until the guard drops (then the previous one is back).
pub fn enter(c: Option<Arc<Collation>>) -> Scope {
    let on = c.is_some();
    let prev = ACTIVE.with(|a| a.replace(c));
    let prev_on = ON.with(|f| f.replace(on));
    Scope { prev, prev_on }
}

/// The guard of [`enter`].
pub struct Scope {
    prev: Option<Arc<Collation>>,
    prev_on: bool,
}

impl Drop for Scope {
    fn drop(&mut self) {
        let prev = self.prev.take();
        ACTIVE.with(|a| a.replace(prev));
        ON.with(|f| f.set(self.prev_on));
    }
}

/// Whether a (non-simple) collation is active on this thread.
#[inline]
pub fn is_active() -> bool {
    ON.with(Cell::get)
}

/// The active collation, if any.
pub fn active() -> Option<Arc<Collation>> {
    if !is_active() {
        return None;
    }
    ACTIVE.with(|a| a.borrow().clone())
}

/// Runs `f` with the active collation (`None`: simple).
#[inline]
pub fn with_active<R>(f: impl FnOnce(Option<&Collation>) -> R) -> R {
    if !is_active() {
        return f(None);
    }
    ACTIVE.with(|a| f(a.borrow().as_deref()))
}

/// Whether `v` holds a string anywhere (the values a collation can compare differently).
pub fn has_string(v: &Bson) -> bool {
    match v {
        Bson::String(_) | Bson::Symbol(_) => true,
        Bson::Document(d) => d.values().any(has_string),
        Bson::Array(a) => a.iter().any(has_string),
        Bson::JavaScriptCodeWithScope(_) => true,
        _ => false,
    }
}

/// The collation a command asks for: its `collation` field parsed (`None` inside: simple), or `None` when the
/// command gives none (the collection's default then applies).
pub fn of_command(cmd: &Document) -> Result<Option<Option<Arc<Collation>>>, CommandError> {
    match cmd.get("collation") {
        None => Ok(None),
        Some(v) => Collation::parse(v).map(Some),
    }
}

/// Set once any collection or view of any engine in the process has a default collation: until then a
/// command needs no look-up of its collection's options.
static DEFAULTS_SEEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether some collection may have a default collation (see [`of_options`]).
#[inline]
pub fn defaults_exist() -> bool {
    DEFAULTS_SEEN.load(std::sync::atomic::Ordering::Relaxed)
}

/// The default collation a collection's (or view's) options give.
pub fn of_options(options: &Document) -> Option<Arc<Collation>> {
    match options.get("collation") {
        Some(v) => {
            DEFAULTS_SEEN.store(true, std::sync::atomic::Ordering::Relaxed);
            Collation::parse(v).ok().flatten()
        }
        None => None,
    }
}

#[cfg(test)]
#[path = "collation_tests.rs"]
mod tests;
