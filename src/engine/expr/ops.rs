//! The operator table: names, argument shapes and arities, and the evaluation dispatch to the operator
//! families (`arith`, `strings`, `dates`, `convert`, `arrays`).

use super::{arith, arrays, compile_node, convert, dates, err, strings, Args, Node, Vars};
use crate::engine::error_codes::ErrorCode;
use crate::engine::CommandError;
use bson::{Bson, Document};

macro_rules! ops {
    ($($v:ident = $n:literal),* $(,)?) => {
        /// An aggregation operator.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Op { $(#[doc = $n] $v),* }
        impl Op {
            /// The operator for a `$name`.
            pub fn from_name(n: &str) -> Option<Op> {
                match n { $($n => Some(Op::$v),)* _ => None }
            }
            /// The operator's `$name`.
            pub fn name(self) -> &'static str {
                match self { $(Op::$v => $n),* }
            }
        }
    };
}

ops! {
    Add = "$add", Subtract = "$subtract", Multiply = "$multiply", Divide = "$divide", Mod = "$mod",
    Abs = "$abs", Ceil = "$ceil", Floor = "$floor", Trunc = "$trunc", Round = "$round", Sqrt = "$sqrt",
    Pow = "$pow", Exp = "$exp", Ln = "$ln", Log10 = "$log10", Log = "$log",
    Eq = "$eq", Ne = "$ne", Gt = "$gt", Gte = "$gte", Lt = "$lt", Lte = "$lte", Cmp = "$cmp",
    And = "$and", Or = "$or", Not = "$not", Cond = "$cond", IfNull = "$ifNull", Switch = "$switch", Let = "$let",
    Concat = "$concat", ToLower = "$toLower", ToUpper = "$toUpper", SubstrCP = "$substrCP", Substr = "$substr",
    SubstrBytes = "$substrBytes", StrLenCP = "$strLenCP", StrLenBytes = "$strLenBytes", IndexOfCP = "$indexOfCP",
    IndexOfBytes = "$indexOfBytes", Split = "$split", Trim = "$trim", Ltrim = "$ltrim", Rtrim = "$rtrim",
    ReplaceAll = "$replaceAll", ReplaceOne = "$replaceOne", RegexMatch = "$regexMatch", RegexFind = "$regexFind",
    RegexFindAll = "$regexFindAll", Strcasecmp = "$strcasecmp",
    DateAdd = "$dateAdd", DateSubtract = "$dateSubtract", DateTrunc = "$dateTrunc", DateDiff = "$dateDiff",
    DateToString = "$dateToString", DateFromString = "$dateFromString", DateToParts = "$dateToParts",
    Year = "$year", Month = "$month", DayOfMonth = "$dayOfMonth", Hour = "$hour", Minute = "$minute",
    Second = "$second", Millisecond = "$millisecond", DayOfWeek = "$dayOfWeek", DayOfYear = "$dayOfYear",
    Week = "$week", IsoWeek = "$isoWeek", IsoWeekYear = "$isoWeekYear", IsoDayOfWeek = "$isoDayOfWeek",
    ToString = "$toString", ToInt = "$toInt", ToLong = "$toLong", ToDouble = "$toDouble", ToDecimal = "$toDecimal",
    ToDate = "$toDate", ToBool = "$toBool", ToObjectId = "$toObjectId", Convert = "$convert", Type = "$type",
    IsNumber = "$isNumber",
    Size = "$size", ArrayElemAt = "$arrayElemAt", In = "$in", ConcatArrays = "$concatArrays", Slice = "$slice",
    IsArray = "$isArray", First = "$first", Last = "$last", ReverseArray = "$reverseArray", Range = "$range",
    IndexOfArray = "$indexOfArray", Filter = "$filter", Map = "$map", Reduce = "$reduce",
    SetIsSubset = "$setIsSubset", SetIntersection = "$setIntersection", SetUnion = "$setUnion",
    SetDifference = "$setDifference", SetEquals = "$setEquals", AnyElementTrue = "$anyElementTrue",
    AllElementsTrue = "$allElementsTrue", Max = "$max", Min = "$min", Sum = "$sum", Avg = "$avg",
    MergeObjects = "$mergeObjects", ObjectToArray = "$objectToArray", ArrayToObject = "$arrayToObject",
    GetField = "$getField", SetField = "$setField", SortArray = "$sortArray",
}

/// Operators whose argument is a document of named arguments.
fn is_named(op: Op) -> bool {
    use Op::*;
    matches!(
        op,
        DateAdd
            | DateSubtract
            | DateTrunc
            | DateDiff
            | DateToString
            | DateFromString
            | DateToParts
            | RegexMatch
            | RegexFind
            | RegexFindAll
            | ReplaceAll
            | ReplaceOne
            | Trim
            | Ltrim
            | Rtrim
            | Convert
            | Filter
            | Map
            | Reduce
            | Let
            | Switch
            | SetField
            | SortArray
    )
}

pub(super) fn is_date_part(op: Op) -> bool {
    use Op::*;
    matches!(
        op,
        Year | Month
            | DayOfMonth
            | Hour
            | Minute
            | Second
            | Millisecond
            | DayOfWeek
            | DayOfYear
            | Week
            | IsoWeek
            | IsoWeekYear
            | IsoDayOfWeek
    )
}

/// (min, max) positional arguments.
fn arity(op: Op) -> (usize, usize) {
    use Op::*;
    match op {
        Add | Multiply | And | Or | Concat | ConcatArrays | SetIntersection | SetUnion
        | MergeObjects | Max | Min | Sum | Avg => (0, usize::MAX),
        Subtract | Divide | Mod | Pow | Log | Eq | Ne | Gt | Gte | Lt | Lte | Cmp | ArrayElemAt
        | In | Split | SetIsSubset | SetDifference | Strcasecmp => (2, 2),
        Round | Trunc => (1, 2),
        Cond => (3, 3),
        IfNull => (2, usize::MAX),
        SetEquals => (2, usize::MAX),
        SubstrCP | Substr | SubstrBytes => (3, 3),
        IndexOfCP | IndexOfBytes | IndexOfArray => (2, 4),
        Slice => (2, 3),
        Range => (2, 3),
        _ => (1, 1),
    }
}

/// Compiles `{$op: arg}`.
pub(super) fn compile_op(name: &str, arg: &Bson) -> Result<Node, CommandError> {
    let Some(op) = Op::from_name(name) else {
        return Err(CommandError::new(
            ErrorCode::InvalidPipelineOperator,
            format!("Unrecognized expression '{name}'"),
        ));
    };
    let named_arg = match arg {
        Bson::Document(d) if is_named(op) => Some(d),
        Bson::Document(d) if op == Op::Cond && d.contains_key("if") => Some(d),
        Bson::Document(d) if op == Op::GetField && d.contains_key("field") => Some(d),
        Bson::Document(d) if is_date_part(op) && d.contains_key("date") => Some(d),
        _ if is_named(op) => {
            return Err(err(
                40_000 + 1,
                format!("{name} only supports an object as its argument"),
            ))
        }
        _ => None,
    };
    if let Some(d) = named_arg {
        let mut args = Vec::with_capacity(d.len());
        for (k, v) in d {
            let node = match (op, k.as_str()) {
                (Op::Let, "vars") => {
                    let Bson::Document(vars) = v else {
                        return Err(err(16874, "invalid parameter: expected an object (vars)"));
                    };
                    let mut fields = Vec::new();
                    for (vn, ve) in vars {
                        fields.push((vn.clone(), compile_node(ve)?));
                    }
                    Node::Doc(super::doc_fields::DocFields::new(fields))
                }
                (Op::Switch, "branches") => {
                    let Bson::Array(bs) = v else {
                        return Err(err(40061, "$switch expected an array for 'branches'"));
                    };
                    let mut out = Vec::new();
                    for b in bs {
                        let Bson::Document(b) = b else {
                            return Err(err(40062, "$switch expected each branch to be an object"));
                        };
                        let case = b.get("case").ok_or_else(|| {
                            err(
                                40064,
                                "$switch requires each branch have a 'case' expression",
                            )
                        })?;
                        let then = b.get("then").ok_or_else(|| {
                            err(
                                40065,
                                "$switch requires each branch have a 'then' expression",
                            )
                        })?;
                        out.push(Node::Arr(vec![compile_node(case)?, compile_node(then)?]));
                    }
                    Node::Arr(out)
                }
                (Op::SortArray, "sortBy") => Node::Const(v.clone()),
                (Op::Filter | Op::Map | Op::Reduce, "as")
                | (Op::Convert, "to")
                | (Op::GetField | Op::SetField, "field") => match v {
                    Bson::String(_) => Node::Const(v.clone()),
                    _ => compile_node(v)?,
                },
                _ => compile_node(v)?,
            };
            args.push((k.clone(), node));
        }
        validate_named(op, &args)?;
        return Ok(take_apart(op, args));
    }
    let args: Vec<Node> = match arg {
        Bson::Array(items) => items.iter().map(compile_node).collect::<Result<_, _>>()?,
        other => vec![compile_node(other)?],
    };
    let (lo, hi) = arity(op);
    // Single-argument array forms: {$max: "$arr"}, {$sum: [..]} etc. are accepted as one argument.
    if args.len() < lo || args.len() > hi {
        return Err(err(
            16020,
            format!(
                "Expression {name} takes {} arguments. {} were passed in.",
                if lo == hi {
                    lo.to_string()
                } else {
                    format!("{lo} to {hi}")
                },
                args.len()
            ),
        ));
    }
    Ok(Node::Op(op, args))
}

fn validate_named(op: Op, args: &[(String, Node)]) -> Result<(), CommandError> {
    let has = |k: &str| args.iter().any(|(n, _)| n == k);
    let required: &[&str] = match op {
        Op::DateAdd | Op::DateSubtract => &["startDate", "unit", "amount"],
        Op::DateTrunc => &["date", "unit"],
        Op::DateDiff => &["startDate", "endDate", "unit"],
        Op::DateToString => &["date"],
        Op::DateFromString => &["dateString"],
        Op::RegexMatch | Op::RegexFind | Op::RegexFindAll => &["input", "regex"],
        Op::ReplaceAll | Op::ReplaceOne => &["input", "find", "replacement"],
        Op::Trim | Op::Ltrim | Op::Rtrim => &["input"],
        Op::Convert => &["input", "to"],
        Op::Filter => &["input", "cond"],
        Op::Map => &["input", "in"],
        Op::Reduce => &["input", "initialValue", "in"],
        Op::Let => &["vars", "in"],
        Op::Switch => &["branches"],
        Op::Cond => &["if", "then", "else"],
        Op::GetField => &["field"],
        Op::SetField => &["field", "input", "value"],
        Op::SortArray => &["input", "sortBy"],
        _ => &["date"],
    };
    for r in required {
        if !has(r) {
            return Err(err(
                40_002,
                format!("Missing '{r}' parameter to {}", op.name()),
            ));
        }
    }
    Ok(())
}

/// The node of a named-argument operator: `$let`, `$switch` and `$cond` have their arguments taken apart
/// here (once, not looked up by name per evaluation); the others keep them by name.
fn take_apart(op: Op, mut args: Vec<(String, Node)>) -> Node {
    fn take(args: &mut [(String, Node)], k: &str) -> Option<Node> {
        args.iter()
            .position(|(n, _)| n == k)
            .map(|i| std::mem::replace(&mut args[i].1, Node::Remove))
    }
    match op {
        Op::Let => {
            let vars = match take(&mut args, "vars") {
                Some(Node::Doc(defs)) => defs
                    .into_iter()
                    .map(|(name, e)| (super::intern(&name), e))
                    .collect(),
                _ => Vec::new(),
            };
            // `in` is required (validate_named): `Remove` (missing) never shows.
            let body = take(&mut args, "in").unwrap_or(Node::Remove);
            Node::Let(Box::new(super::Let { vars, body }))
        }
        Op::Switch => {
            let mut branches = Vec::new();
            if let Some(Node::Arr(items)) = take(&mut args, "branches") {
                for b in items {
                    if let Node::Arr(pair) = b {
                        let mut pair = pair.into_iter();
                        if let (Some(case), Some(then), None) =
                            (pair.next(), pair.next(), pair.next())
                        {
                            branches.push((case, then));
                        }
                    }
                }
            }
            let default = take(&mut args, "default");
            Node::Switch(Box::new(super::Switch { branches, default }))
        }
        Op::Cond => {
            let (Some(c), Some(t), Some(e)) = (
                take(&mut args, "if"),
                take(&mut args, "then"),
                take(&mut args, "else"),
            ) else {
                return Node::Named(op, args);
            };
            Node::Op(Op::Cond, vec![c, t, e])
        }
        _ => Node::Named(op, args),
    }
}

/// The named argument `k`.
pub(super) fn named<'a>(args: &'a [(String, Node)], k: &str) -> Option<&'a Node> {
    args.iter().find(|(n, _)| n == k).map(|(_, v)| v)
}

/// Evaluates the named argument `k` (missing when absent).
pub(super) fn eval_named_arg(
    args: &[(String, Node)],
    k: &str,
    root: &Document,
    vars: &Vars,
) -> Result<Option<Bson>, CommandError> {
    match named(args, k) {
        Some(n) => n.eval(root, vars),
        None => Ok(None),
    }
}

pub(super) fn eval_op(
    op: Op,
    args: &[Node],
    root: &Document,
    vars: &Vars,
) -> Result<Option<Bson>, CommandError> {
    use Op::*;
    // Operators that evaluate their arguments lazily.
    match op {
        And => {
            for a in args {
                if !a.truthy_value(root, vars)? {
                    return Ok(Some(Bson::Boolean(false)));
                }
            }
            return Ok(Some(Bson::Boolean(true)));
        }
        Or => {
            for a in args {
                if a.truthy_value(root, vars)? {
                    return Ok(Some(Bson::Boolean(true)));
                }
            }
            return Ok(Some(Bson::Boolean(false)));
        }
        Cond => {
            let c = args[0].truthy_value(root, vars)?;
            return args[if c { 1 } else { 2 }].eval(root, vars);
        }
        IfNull => {
            let (last, init) = args
                .split_last()
                .ok_or_else(|| err(1257300, "$ifNull needs at least two arguments"))?;
            for a in init {
                let v = a.eval(root, vars)?;
                if !super::nullish(&v) {
                    return Ok(v);
                }
            }
            return last.eval(root, vars);
        }
        // Constant strings (the separators and unit names of a formatted interval) are appended where they
        // are, not copied into an argument first; the other arguments are evaluated first, all of them, as
        // the general path does.
        Concat
            if args
                .iter()
                .any(|a| matches!(a, Node::Const(Bson::String(_)))) =>
        {
            return super::strings::concat_in_place(args, root, vars);
        }
        // SPLIT_PART: one piece of the string, not the array of them all.
        ArrayElemAt => {
            if let [Node::Op(Split, split), Node::Const(Bson::Int32(k))] = args {
                if let (2, Ok(k)) = (split.len(), usize::try_from(*k)) {
                    return super::strings::split_nth(split, k, root, vars);
                }
            }
        }
        _ => {}
    }
    // Operators that only look at their arguments read them where they are (a constant list of `$in` too:
    // `x IN (...)`, the characters LIKE escapes). The others (arithmetic, conversions, strings: most of
    // a plan's nodes) do not ask.
    if super::borrowed::inspects(op) {
        if let Some(v) = super::borrowed::inspect(op, args, root, vars)? {
            return Ok(v);
        }
    }
    // Evaluated in place (never moved: the inline array is ~460 bytes) and lent to the family as a slice.
    let mut vals = Args::new();
    for a in args {
        vals.push(a.eval(root, vars)?);
    }
    let vals = vals.as_mut_slice();
    match op {
        Add | Subtract | Multiply | Divide | Mod | Abs | Ceil | Floor | Trunc | Round | Sqrt
        | Pow | Exp | Ln | Log10 | Log | Eq | Ne | Gt | Gte | Lt | Lte | Cmp | Not => {
            arith::eval(op, vals)
        }
        Concat | ToLower | ToUpper | SubstrCP | Substr | SubstrBytes | StrLenCP | StrLenBytes
        | IndexOfCP | IndexOfBytes | Split | Strcasecmp => strings::eval(op, vals),
        ToString | ToInt | ToLong | ToDouble | ToDecimal | ToDate | ToBool | ToObjectId | Type
        | IsNumber => convert::eval(op, vals),
        Year | Month | DayOfMonth | Hour | Minute | Second | Millisecond | DayOfWeek
        | DayOfYear | Week | IsoWeek | IsoWeekYear | IsoDayOfWeek => {
            dates::part(op, vals.first_mut().and_then(Option::take), None)
        }
        // `{$getField: "a"}`: the field of the current document (the document is not copied to read it).
        GetField => match vals.first_mut().and_then(Option::take) {
            Some(Bson::String(f)) => Ok(root.get(&f).cloned()),
            other => arrays::get_field(other, None),
        },
        _ => arrays::eval(op, vals),
    }
}

pub(super) fn eval_named(
    op: Op,
    args: &[(String, Node)],
    root: &Document,
    vars: &Vars,
) -> Result<Option<Bson>, CommandError> {
    use Op::*;
    let arg = |k: &str| eval_named_arg(args, k, root, vars);
    match op {
        Filter | Map | Reduce => arrays::higher_order(op, args, root, vars),
        SortArray => arrays::sort_array(args, root, vars),
        DateAdd | DateSubtract | DateTrunc | DateDiff | DateToString | DateFromString
        | DateToParts => dates::named(op, args, root, vars),
        Year | Month | DayOfMonth | Hour | Minute | Second | Millisecond | DayOfWeek
        | DayOfYear | Week | IsoWeek | IsoWeekYear | IsoDayOfWeek => {
            dates::part(op, arg("date")?, arg("timezone")?)
        }
        RegexMatch | RegexFind | RegexFindAll | ReplaceAll | ReplaceOne | Trim | Ltrim | Rtrim => {
            strings::named(op, args, root, vars)
        }
        Convert => convert::convert(
            arg("input")?,
            arg("to")?,
            named(args, "onError"),
            named(args, "onNull"),
            root,
            vars,
        ),
        GetField if super::borrowed::lending() => {
            Ok(super::borrowed::get_field_named(args, root, vars)?
                .map(std::borrow::Cow::into_owned))
        }
        GetField => {
            let input = match named(args, "input") {
                Some(n) => n.eval(root, vars)?,
                None => Some(Bson::Document(root.clone())),
            };
            arrays::get_field(arg("field")?, input)
        }
        SetField => arrays::set_field(
            arg("field")?,
            arg("input")?,
            named(args, "value"),
            root,
            vars,
        ),
        other => Err(err(
            40_003,
            format!("{} does not take named arguments", other.name()),
        )),
    }
}
