//! The one table of error codes the engine, `serve` and the driver path report: each code with mongod's `codeName`,
//! written once.
//!
//! Named codes are those of mongod's `src/mongo/base/error_codes.yml`, with its names. Any other code is a
//! mongod "location" code (a `uassert` number, 10000 and up), whose `codeName` mongod spells
//! `Location<code>`. [`ErrorCode::name`] derives the name from the code, so a code cannot be reported under
//! two names: `ErrorCode::location(2)` is `BadValue`, never `Location2`.

use std::borrow::Cow;

/// A mongod error code; its `codeName` comes from the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorCode(i32);

macro_rules! named_codes {
    ($($name:ident = $code:literal,)*) => {
        #[allow(non_upper_case_globals)]
        impl ErrorCode {
            $(
                #[doc = concat!("Code ", stringify!($code), ", `", stringify!($name), "`.")]
                pub const $name: ErrorCode = ErrorCode($code);
            )*
        }
        /// Every named code with its `codeName`, in code order (as in mongod's `error_codes.yml`).
        pub const NAMED: &[(i32, &str)] = &[$(($code, stringify!($name)),)*];
    };
}

named_codes! {
    InternalError = 1,
    BadValue = 2,
    NoSuchKey = 4,
    HostUnreachable = 6,
    HostNotFound = 7,
    UnknownError = 8,
    FailedToParse = 9,
    UserNotFound = 11,
    UnsupportedFormat = 12,
    Unauthorized = 13,
    TypeMismatch = 14,
    Overflow = 15,
    InvalidLength = 16,
    ProtocolError = 17,
    AuthenticationFailed = 18,
    IllegalOperation = 20,
    EmptyArrayOperation = 21,
    InvalidBSON = 22,
    NamespaceNotFound = 26,
    IndexNotFound = 27,
    PathNotViable = 28,
    NonExistentPath = 29,
    InvalidPath = 30,
    RoleNotFound = 31,
    ConflictingUpdateOperators = 40,
    CursorNotFound = 43,
    NoMatchingDocument = 47,
    NamespaceExists = 48,
    MaxTimeMSExpired = 50,
    DollarPrefixedFieldName = 52,
    InvalidIdField = 53,
    NotSingleValueField = 54,
    InvalidDBRef = 55,
    EmptyFieldName = 56,
    DottedFieldName = 57,
    CommandNotFound = 59,
    ImmutableField = 66,
    CannotCreateIndex = 67,
    IndexAlreadyExists = 68,
    InvalidOptions = 72,
    InvalidNamespace = 73,
    IndexOptionsConflict = 85,
    IndexKeySpecsConflict = 86,
    NetworkTimeout = 89,
    ShutdownInProgress = 91,
    OperationFailed = 96,
    DBPathInUse = 98,
    WriteConflict = 112,
    CommandNotSupported = 115,
    DocTooLargeForCapped = 116,
    ConflictingOperationInProgress = 117,
    DocumentValidationFailure = 121,
    CommandFailed = 125,
    ReadConcernMajorityNotAvailableYet = 134,
    ExceededMemoryLimit = 146,
    ViewDepthLimitExceeded = 165,
    CommandNotSupportedOnView = 166,
    OptionNotSupportedOnView = 167,
    InvalidPipelineOperator = 168,
    CannotIndexParallelArrays = 171,
    InvalidViewDefinition = 182,
    PrimarySteppedDown = 189,
    InvalidIndexSpecificationOption = 197,
    NoSuchSession = 206,
    InvalidUUID = 207,
    IllegalOpMsgFlag = 223,
    QueryFeatureNotAllowed = 224,
    TransactionTooOld = 225,
    MaxSubPipelineDepthExceeded = 232,
    TooManyDocumentSequences = 233,
    NotImplemented = 238,
    ConversionFailure = 241,
    CannotCreateCollection = 242,
    NoSuchTransaction = 251,
    TransactionCommitted = 256,
    ExceededTimeLimit = 262,
    OperationNotSupportedInTransaction = 263,
    QueryExceededMemoryLimitNoDiskUseAllowed = 292,
    MechanismUnavailable = 334,
    UnsupportedOpQueryCommand = 352,
    SocketException = 9001,
    NotWritablePrimary = 10107,
    BSONObjectTooLarge = 10334,
    DuplicateKey = 11000,
    InterruptedAtShutdown = 11600,
    Interrupted = 11601,
    InterruptedDueToReplStateChange = 11602,
    MergeStageNoMatchingDocument = 13113,
    NotPrimaryNoSecondaryOk = 13435,
    NotPrimaryOrSecondary = 13436,
    IDLDuplicateField = 40413,
    IDLFailedToParse = 40414,
    IDLUnknownField = 40415,
}

impl ErrorCode {
    /// The error for code `code`: a named code when the table has it, else mongod's `Location<code>`.
    pub const fn location(code: i32) -> ErrorCode {
        ErrorCode(code)
    }

    /// The numeric code.
    pub const fn code(self) -> i32 {
        self.0
    }

    /// mongod's `codeName` for the code.
    pub fn name(self) -> Cow<'static, str> {
        match NAMED.binary_search_by_key(&self.0, |&(c, _)| c) {
            Ok(i) => Cow::Borrowed(NAMED[i].1),
            Err(_) => Cow::Owned(format!("Location{}", self.0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn no_code_has_two_names_and_no_name_two_codes() {
        assert!(
            NAMED.windows(2).all(|w| w[0].0 < w[1].0),
            "the table is in strictly increasing code order (so a code appears once)"
        );
        let names: HashSet<&str> = NAMED.iter().map(|&(_, n)| n).collect();
        assert_eq!(names.len(), NAMED.len(), "a name appears twice");
        for &(code, name) in NAMED {
            assert_eq!(ErrorCode::location(code).name(), name);
            assert!(!name.starts_with("Location"), "{name}");
        }
    }

    #[test]
    fn a_named_code_keeps_its_name_whichever_way_it_is_built() {
        assert_eq!(ErrorCode::location(2).name(), "BadValue");
        assert_eq!(ErrorCode::location(40415).name(), "IDLUnknownField");
        assert_eq!(ErrorCode::location(40602).name(), "Location40602");
        assert_eq!(ErrorCode::BadValue, ErrorCode::location(2));
    }
}
