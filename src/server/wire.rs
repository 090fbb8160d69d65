//! MongoDB wire-protocol framing: the 16-byte header, `OP_MSG` (flag bits, kind-0 body, kind-1 document
//! sequences, optional CRC-32C checksum), the legacy `OP_QUERY` a driver may use for its first handshake, and
//! the `OP_REPLY` that answers it.
//!
//! Everything here is pure: bytes in, typed messages out (and back). A message that does not parse is a
//! [`WireError`]; the connection handler closes the connection on one, as mongod does.

use crate::command_error::CommandError;
use crate::command_error::ErrorCode;
use bson::Document;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};

/// `OP_REPLY`: the reply to a legacy `OP_QUERY`.
pub const OP_REPLY: i32 = 1;
/// `OP_QUERY`: legacy query; only the handshake (`hello` / `isMaster` on `admin.$cmd`) is still served.
pub const OP_QUERY: i32 = 2004;
/// `OP_COMPRESSED`: not served (the server advertises no compressor).
pub const OP_COMPRESSED: i32 = 2012;
/// `OP_MSG`: every command since MongoDB 3.6.
pub const OP_MSG: i32 = 2013;
/// The header's length in bytes.
pub const HEADER_LEN: usize = 16;
/// The largest message accepted (mongod's `maxMessageSizeBytes`).
pub const MAX_MESSAGE_SIZE: usize = 48_000_000;
/// The largest document a message may carry (mongod's `BSONObjMaxInternalSize`: 16 MiB plus 16 KiB for
/// the command around a 16 MiB document); the engine then holds stored documents to 16 MiB exactly.
pub const MAX_BSON_OBJECT_BYTES: usize = 16 * 1024 * 1024 + 16 * 1024;

/// `OP_MSG` flag bit 0: a CRC-32C checksum follows the sections.
pub const FLAG_CHECKSUM_PRESENT: u32 = 1;
/// `OP_MSG` flag bit 1: the sender expects no reply.
pub const FLAG_MORE_TO_COME: u32 = 1 << 1;
/// `OP_MSG` flag bit 16: the client accepts several replies to one request (ignored: one reply is sent).
pub const FLAG_EXHAUST_ALLOWED: u32 = 1 << 16;

/// `OP_REPLY` response flag bit 1: the query failed (the document is an error).
pub const REPLY_QUERY_FAILURE: i32 = 1 << 1;

/// Why a message was refused. The connection that sent it is closed.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// The header's length is below the header size or above [`MAX_MESSAGE_SIZE`].
    #[error("message length {0} is outside 16..={MAX_MESSAGE_SIZE}")]
    BadLength(i64),
    /// The op code is not one the server serves.
    #[error("unsupported op code {0}")]
    UnsupportedOpCode(i32),
    /// The message body is not well formed.
    #[error("malformed message: {0}")]
    Malformed(String),
    /// The `OP_MSG` checksum does not match the message.
    #[error("OP_MSG checksum mismatch (sent {sent:#010x}, computed {computed:#010x})")]
    Checksum {
        /// The checksum the message carries.
        sent: u32,
        /// The checksum of the bytes received.
        computed: u32,
    },
    /// The message is well framed but a document in it is refused (nested deeper than mongod's
    /// `maxBSONDepth`): answered with this error, the connection stays open.
    #[error("{0}")]
    Refused(CommandError),
    /// The peer sent part of a message, then nothing for the read timeout.
    #[error("no byte of the message for {waited:?} after {received} bytes: closing")]
    Stalled {
        /// Bytes of the message received.
        received: usize,
        /// How long the read waited.
        waited: Duration,
    },
    /// The peer closed the connection in the middle of a message, or reading failed.
    #[error("connection read failed: {0}")]
    Io(#[from] std::io::Error),
}

fn malformed(msg: impl Into<String>) -> WireError {
    WireError::Malformed(msg.into())
}

/// The standard message header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Total message length including the header.
    pub length: i32,
    /// The sender's id for this message.
    pub request_id: i32,
    /// The request this message answers (0 for requests).
    pub response_to: i32,
    /// The op code.
    pub op_code: i32,
}

impl Header {
    /// Decodes a header.
    pub fn parse(b: &[u8; HEADER_LEN]) -> Header {
        let i = |o: usize| i32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
        Header {
            length: i(0),
            request_id: i(4),
            response_to: i(8),
            op_code: i(12),
        }
    }

    /// Encodes a header.
    pub fn to_bytes(self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[0..4].copy_from_slice(&self.length.to_le_bytes());
        out[4..8].copy_from_slice(&self.request_id.to_le_bytes());
        out[8..12].copy_from_slice(&self.response_to.to_le_bytes());
        out[12..16].copy_from_slice(&self.op_code.to_le_bytes());
        out
    }

    /// The body's length (the message length less the header), checked against the size limits.
    pub fn body_len(&self) -> Result<usize, WireError> {
        let len = i64::from(self.length);
        if len < HEADER_LEN as i64 || len > MAX_MESSAGE_SIZE as i64 {
            return Err(WireError::BadLength(len));
        }
        Ok(len as usize - HEADER_LEN)
    }
}

/// One raw message: its header and the bytes after the header.
#[derive(Debug, Clone)]
pub struct RawMessage {
    /// The header.
    pub header: Header,
    /// The bytes after the header (`header.length - 16` of them).
    pub body: Vec<u8>,
}

/// Reads one message. `Ok(None)` when the peer closed the connection cleanly between messages; a message
/// cut short, a length out of bounds or a read failure is an error.
pub async fn read_message<R: AsyncRead + Unpin>(
    r: &mut R,
) -> Result<Option<RawMessage>, WireError> {
    read_message_within(r, None).await
}

/// [`read_message`], except that once a message has begun, a read that brings no byte for `stall` fails
/// the message ([`WireError::Stalled`]): a client that stops sending in the middle of a message does not
/// hold its buffer forever. Waiting for the first byte of a message is not timed (an idle connection is
/// fine).
pub async fn read_message_within<R: AsyncRead + Unpin>(
    r: &mut R,
    stall: Option<Duration>,
) -> Result<Option<RawMessage>, WireError> {
    let mut hb = [0u8; HEADER_LEN];
    let mut got = 0;
    while got < HEADER_LEN {
        let n = if got == 0 {
            r.read(&mut hb[got..]).await?
        } else {
            timed(stall, got, r.read(&mut hb[got..])).await?
        };
        if n == 0 {
            if got == 0 {
                return Ok(None);
            }
            return Err(malformed(format!(
                "connection closed after {got} of the 16 header bytes"
            )));
        }
        got += n;
    }
    let header = Header::parse(&hb);
    let len = header.body_len()?;
    // Grow the buffer as bytes arrive: a header that claims 48 MB and sends nothing costs nothing.
    let mut body = Vec::with_capacity(len.min(1 << 20));
    while body.len() < len {
        // Room for at most 1 MiB more than has arrived, zeroed, then cut back to what the read brought.
        let have = body.len();
        body.resize(have + (len - have).min(1 << 20), 0);
        let n = timed(stall, HEADER_LEN + have, r.read(&mut body[have..])).await;
        let n = n?;
        body.truncate(have + n);
        if n == 0 {
            return Err(malformed(format!(
                "connection closed after {} of the {} bytes the header announced",
                body.len() + HEADER_LEN,
                header.length
            )));
        }
    }
    Ok(Some(RawMessage { header, body }))
}

/// One read of a message under way, failed after `stall` without progress (`received` bytes so far).
async fn timed<F>(stall: Option<Duration>, received: usize, read: F) -> Result<usize, WireError>
where
    F: std::future::Future<Output = std::io::Result<usize>>,
{
    match stall {
        None => Ok(read.await?),
        Some(t) => match tokio::time::timeout(t, read).await {
            Ok(n) => Ok(n?),
            Err(_) => Err(WireError::Stalled {
                received,
                waited: t,
            }),
        },
    }
}

/// A decoded `OP_MSG`.
#[derive(Debug, Clone, PartialEq)]
pub struct OpMsg {
    /// The flag bits.
    pub flags: u32,
    /// The kind-0 section: the command document.
    pub body: Document,
    /// The kind-1 sections: (identifier, documents), in message order.
    pub sequences: Vec<(String, Vec<Document>)>,
}

impl OpMsg {
    /// The command with each document sequence folded in as an array field named by its identifier
    /// (`documents` for insert, `updates` for update, `deletes` for delete). A sequence whose name the body
    /// already has is an error, as in mongod.
    pub fn into_command(self) -> Result<Document, CommandError> {
        let mut cmd = self.body;
        for (name, docs) in self.sequences {
            if cmd.contains_key(&name) {
                return Err(CommandError::new(
                    ErrorCode::IDLDuplicateField,
                    format!(
                        "Duplicate field '{name}': in the command body and a document sequence"
                    ),
                ));
            }
            cmd.insert(
                name,
                bson::Bson::Array(docs.into_iter().map(bson::Bson::Document).collect()),
            );
        }
        Ok(cmd)
    }
}

/// A decoded legacy `OP_QUERY`.
#[derive(Debug, Clone, PartialEq)]
pub struct OpQuery {
    /// The query flags.
    pub flags: i32,
    /// `db.collection` (`admin.$cmd` for a command).
    pub full_collection_name: String,
    /// numberToSkip.
    pub skip: i32,
    /// numberToReturn.
    pub number_to_return: i32,
    /// The query (for a command: the command document, possibly wrapped in `$query`).
    pub query: Document,
}

/// A decoded request.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// An `OP_MSG`.
    Msg(OpMsg),
    /// A legacy `OP_QUERY`.
    Query(OpQuery),
}

/// Decodes a message's body by its op code.
pub fn parse_request(msg: &RawMessage) -> Result<Request, WireError> {
    match msg.header.op_code {
        OP_MSG => parse_op_msg(&msg.header, &msg.body).map(Request::Msg),
        OP_QUERY => parse_op_query(&msg.body).map(Request::Query),
        other => Err(WireError::UnsupportedOpCode(other)),
    }
}

fn read_i32(b: &[u8], pos: usize) -> Result<i32, WireError> {
    b.get(pos..pos + 4)
        .map(|s| i32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| malformed(format!("truncated at byte {pos}")))
}

fn read_cstring(b: &[u8], pos: usize) -> Result<(String, usize), WireError> {
    let rest = b.get(pos..).ok_or_else(|| malformed("truncated string"))?;
    let nul = rest
        .iter()
        .position(|&c| c == 0)
        .ok_or_else(|| malformed("unterminated string"))?;
    let s = std::str::from_utf8(&rest[..nul])
        .map_err(|_| malformed("string is not UTF-8"))?
        .to_string();
    Ok((s, pos + nul + 1))
}

/// Reads one BSON document at `pos`, which must end by `end`; returns it and the position after it.
fn read_doc(b: &[u8], pos: usize, end: usize) -> Result<(Document, usize), WireError> {
    read_doc_in(b, pos, end, &Document::new())
}

/// An empty document with room for `fields` fields (a document of that many, cleared, keeps its size):
/// what the documents of one sequence are read into, sized by the one before (an `insert_many` batch
/// shares a shape), so none grows (reallocates and rehashes) field by field as it is read.
fn room(fields: usize) -> Document {
    let mut d = Document::new();
    for i in 0..fields {
        d.insert(i.to_string(), bson::Bson::Null);
    }
    d.clear();
    d
}

/// `bytes` (a whole document) read into a clone of `room`: the elements and values of
/// `Document::from_reader`, in its order; `None` on any error (the caller reads it again for the error).
fn decode_into(bytes: &[u8], room: &Document) -> Option<Document> {
    let raw = bson::RawDocument::from_bytes(bytes).ok()?;
    let mut doc = room.clone();
    for element in raw.iter() {
        let (k, v) = element.ok()?;
        doc.insert(k.as_str(), bson::Bson::try_from(v).ok()?);
    }
    Some(doc)
}

/// [`read_doc`] into a clone of `room` (see [`room`]).
fn read_doc_in(
    b: &[u8],
    pos: usize,
    end: usize,
    room: &Document,
) -> Result<(Document, usize), WireError> {
    let len = read_i32(b, pos)?;
    if len < 5 {
        return Err(malformed(format!(
            "BSON document length {len} at byte {pos}"
        )));
    }
    let stop = pos
        .checked_add(len as usize)
        .filter(|s| *s <= end)
        .ok_or_else(|| {
            malformed(format!(
                "BSON document at byte {pos} ({len} bytes) overruns its section"
            ))
        })?;
    // mongod refuses any document of a message over its internal maximum (16 MiB + 16 KiB).
    if len as usize > MAX_BSON_OBJECT_BYTES {
        return Err(WireError::Refused(CommandError::new(
            ErrorCode::BSONObjectTooLarge,
            format!(
                "BSONObj size: {len} (0x{len:X}) is invalid. Size must be between 0 and {MAX_BSON_OBJECT_BYTES}(16MB)"
            ),
        )));
    }
    // The `bson` decoder recurses once per level: the depth is bounded first, without recursion.
    crate::engine::limits::check_command_bytes(&b[pos..stop]).map_err(WireError::Refused)?;
    let doc = match decode_into(&b[pos..stop], room) {
        Some(doc) => doc,
        None => Document::from_reader(&b[pos..stop])
            .map_err(|e| malformed(format!("invalid BSON at byte {pos}: {e}")))?,
    };
    Ok((doc, stop))
}

fn parse_op_msg(header: &Header, body: &[u8]) -> Result<OpMsg, WireError> {
    let flags = read_i32(body, 0)? as u32;
    // Bits 0-15 are required: an unknown one must fail the message; bits 16-31 are optional.
    let known = FLAG_CHECKSUM_PRESENT | FLAG_MORE_TO_COME;
    if flags & 0xFFFF & !known != 0 {
        return Err(malformed(format!(
            "unrecognized required OP_MSG flag bits {:#x}",
            flags & 0xFFFF & !known
        )));
    }
    let mut end = body.len();
    if flags & FLAG_CHECKSUM_PRESENT != 0 {
        if end < 8 {
            return Err(malformed("checksum flag set but no room for a checksum"));
        }
        end -= 4;
        let sent = u32::from_le_bytes([body[end], body[end + 1], body[end + 2], body[end + 3]]);
        let computed = crc32c::crc32c_append(crc32c::crc32c(&header.to_bytes()), &body[..end]);
        if sent != computed {
            return Err(WireError::Checksum { sent, computed });
        }
    }
    let mut pos = 4;
    let mut main: Option<Document> = None;
    let mut sequences = Vec::new();
    while pos < end {
        let kind = body[pos];
        pos += 1;
        match kind {
            0 => {
                let (doc, next) = read_doc(body, pos, end)?;
                if main.is_some() {
                    return Err(malformed("more than one kind-0 section"));
                }
                main = Some(doc);
                pos = next;
            }
            1 => {
                let size = read_i32(body, pos)?;
                let stop = (size >= 5)
                    .then(|| pos.checked_add(size as usize))
                    .flatten()
                    .filter(|s| *s <= end)
                    .ok_or_else(|| {
                        malformed(format!("document sequence size {size} at byte {pos}"))
                    })?;
                let (name, mut p) = read_cstring(&body[..stop], pos + 4)?;
                let mut docs: Vec<Document> = Vec::new();
                let (mut shape, mut fields) = (room(0), 0);
                while p < stop {
                    let (d, next) = read_doc_in(body, p, stop, &shape)?;
                    if d.len() > fields {
                        (shape, fields) = (room(d.len()), d.len());
                    }
                    docs.push(d);
                    p = next;
                }
                sequences.push((name, docs));
                pos = stop;
            }
            other => return Err(malformed(format!("unknown OP_MSG section kind {other}"))),
        }
    }
    let body = main.ok_or_else(|| malformed("OP_MSG without a kind-0 body section"))?;
    Ok(OpMsg {
        flags,
        body,
        sequences,
    })
}

fn parse_op_query(body: &[u8]) -> Result<OpQuery, WireError> {
    let flags = read_i32(body, 0)?;
    let (full_collection_name, pos) = read_cstring(body, 4)?;
    let skip = read_i32(body, pos)?;
    let number_to_return = read_i32(body, pos + 4)?;
    let (query, next) = read_doc(body, pos + 8, body.len())?;
    if next < body.len() {
        // returnFieldsSelector: must be a well-formed document too.
        read_doc(body, next, body.len())?;
    }
    Ok(OpQuery {
        flags,
        full_collection_name,
        skip,
        number_to_return,
        query,
    })
}

fn doc_bytes(doc: &Document) -> Result<Vec<u8>, WireError> {
    doc.to_vec()
        .map_err(|e| malformed(format!("reply does not encode: {e}")))
}

/// Encodes an `OP_MSG` reply: flag bits 0 and one kind-0 section.
pub fn encode_op_msg(
    request_id: i32,
    response_to: i32,
    flags: u32,
    doc: &Document,
) -> Result<Vec<u8>, WireError> {
    encode_op_msg_bytes(request_id, response_to, flags, &doc_bytes(doc)?)
}

/// [`encode_op_msg`] for a reply already encoded as BSON bytes.
pub fn encode_op_msg_bytes(
    request_id: i32,
    response_to: i32,
    flags: u32,
    d: &[u8],
) -> Result<Vec<u8>, WireError> {
    let length = HEADER_LEN + 4 + 1 + d.len();
    let mut out = Vec::with_capacity(length);
    out.extend_from_slice(
        &Header {
            length: i32::try_from(length).map_err(|_| WireError::BadLength(length as i64))?,
            request_id,
            response_to,
            op_code: OP_MSG,
        }
        .to_bytes(),
    );
    out.extend_from_slice(&flags.to_le_bytes());
    out.push(0);
    out.extend_from_slice(d);
    Ok(out)
}

/// The command of an `OP_MSG` with no flag bits and a single kind-0 section (what drivers send for reads),
/// as the BSON bytes it arrived as; `None` for any other message, which [`parse_request`] then decodes.
pub fn plain_op_msg_body(msg: &RawMessage) -> Option<&bson::RawDocument> {
    if msg.header.op_code != OP_MSG {
        return None;
    }
    let b = &msg.body;
    if b.get(0..4)? != [0, 0, 0, 0] || *b.get(4)? != 0 {
        return None;
    }
    let section = b.get(5..)?;
    let len = usize::try_from(read_i32(section, 0).ok()?).ok()?;
    if len != section.len() {
        return None;
    }
    bson::RawDocument::from_bytes(section).ok()
}

/// Encodes an `OP_REPLY` carrying one document.
pub fn encode_op_reply(
    request_id: i32,
    response_to: i32,
    response_flags: i32,
    doc: &Document,
) -> Result<Vec<u8>, WireError> {
    let d = doc_bytes(doc)?;
    let length = HEADER_LEN + 4 + 8 + 4 + 4 + d.len();
    let mut out = Vec::with_capacity(length);
    out.extend_from_slice(
        &Header {
            length: i32::try_from(length).map_err(|_| WireError::BadLength(length as i64))?,
            request_id,
            response_to,
            op_code: OP_REPLY,
        }
        .to_bytes(),
    );
    out.extend_from_slice(&response_flags.to_le_bytes());
    out.extend_from_slice(&0i64.to_le_bytes()); // cursorID
    out.extend_from_slice(&0i32.to_le_bytes()); // startingFrom
    out.extend_from_slice(&1i32.to_le_bytes()); // numberReturned
    out.extend_from_slice(&d);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn raw(bytes: &[u8]) -> RawMessage {
        let mut hb = [0u8; HEADER_LEN];
        hb.copy_from_slice(&bytes[..HEADER_LEN]);
        RawMessage {
            header: Header::parse(&hb),
            body: bytes[HEADER_LEN..].to_vec(),
        }
    }

    /// An OP_MSG with a body, one document sequence and, optionally, a checksum.
    fn op_msg(body: &Document, seq: Option<(&str, &[Document])>, checksum: bool) -> Vec<u8> {
        let mut payload = Vec::new();
        let flags: u32 = if checksum { FLAG_CHECKSUM_PRESENT } else { 0 };
        payload.extend_from_slice(&flags.to_le_bytes());
        payload.push(0);
        payload.extend_from_slice(&body.to_vec().unwrap());
        if let Some((name, docs)) = seq {
            let mut s = Vec::new();
            s.extend_from_slice(name.as_bytes());
            s.push(0);
            for d in docs {
                s.extend_from_slice(&d.to_vec().unwrap());
            }
            payload.push(1);
            payload.extend_from_slice(&((s.len() + 4) as i32).to_le_bytes());
            payload.extend_from_slice(&s);
        }
        let len = HEADER_LEN + payload.len() + if checksum { 4 } else { 0 };
        let mut out = Header {
            length: len as i32,
            request_id: 9,
            response_to: 0,
            op_code: OP_MSG,
        }
        .to_bytes()
        .to_vec();
        out.extend_from_slice(&payload);
        if checksum {
            let c = crc32c::crc32c(&out);
            out.extend_from_slice(&c.to_le_bytes());
        }
        out
    }

    #[test]
    fn op_msg_with_sequence_folds_into_the_command() {
        let docs = [doc! {"_id": 1}, doc! {"_id": 2}];
        let bytes = op_msg(
            &doc! {"insert": "c", "$db": "app"},
            Some(("documents", &docs)),
            true,
        );
        let Request::Msg(m) = parse_request(&raw(&bytes)).unwrap() else {
            panic!("OP_MSG expected")
        };
        assert_eq!(m.flags, FLAG_CHECKSUM_PRESENT);
        assert_eq!(
            m.into_command().unwrap(),
            doc! {"insert": "c", "$db": "app", "documents": [{"_id": 1}, {"_id": 2}]}
        );
    }

    #[test]
    fn checksum_mismatch_and_truncation_are_refused() {
        let mut bytes = op_msg(&doc! {"ping": 1, "$db": "admin"}, None, true);
        let n = bytes.len();
        bytes[n - 1] ^= 0xFF;
        assert!(matches!(
            parse_request(&raw(&bytes)),
            Err(WireError::Checksum { .. })
        ));
        let bytes = op_msg(&doc! {"ping": 1, "$db": "admin"}, None, false);
        let mut short = bytes[..bytes.len() - 3].to_vec();
        short[0..4].copy_from_slice(&((bytes.len() - 3) as i32).to_le_bytes());
        assert!(matches!(
            parse_request(&raw(&short)),
            Err(WireError::Malformed(_))
        ));
    }

    #[test]
    fn unknown_required_flag_bits_and_lengths_are_refused() {
        let mut bytes = op_msg(&doc! {"ping": 1, "$db": "admin"}, None, false);
        bytes[16] |= 0x04;
        assert!(matches!(
            parse_request(&raw(&bytes)),
            Err(WireError::Malformed(_))
        ));
        let h = |length| Header {
            length,
            request_id: 0,
            response_to: 0,
            op_code: OP_MSG,
        };
        assert!(h(15).body_len().is_err());
        assert!(h(-1).body_len().is_err());
        assert!(h(48_000_001).body_len().is_err());
        assert_eq!(h(48_000_000).body_len().unwrap(), 48_000_000 - 16);
    }

    #[test]
    fn replies_round_trip() {
        let d = doc! {"ok": 1.0, "n": 3};
        let m = encode_op_msg(5, 9, 0, &d).unwrap();
        let Request::Msg(back) = parse_request(&raw(&m)).unwrap() else {
            panic!("OP_MSG expected")
        };
        assert_eq!(back.body, d);
        let r = encode_op_reply(6, 9, 0, &d).unwrap();
        assert_eq!(
            r.len() as i32,
            Header::parse(&r[..16].try_into().unwrap()).length
        );
        assert_eq!(Document::from_reader(&r[36..]).unwrap(), d);
    }

    #[test]
    fn op_query_handshake_parses() {
        let q = doc! {"isMaster": 1, "client": {"driver": {"name": "x"}}};
        let mut body = Vec::new();
        body.extend_from_slice(&0i32.to_le_bytes());
        body.extend_from_slice(b"admin.$cmd\0");
        body.extend_from_slice(&0i32.to_le_bytes());
        body.extend_from_slice(&(-1i32).to_le_bytes());
        body.extend_from_slice(&q.to_vec().unwrap());
        let mut bytes = Header {
            length: (HEADER_LEN + body.len()) as i32,
            request_id: 1,
            response_to: 0,
            op_code: OP_QUERY,
        }
        .to_bytes()
        .to_vec();
        bytes.extend_from_slice(&body);
        let Request::Query(oq) = parse_request(&raw(&bytes)).unwrap() else {
            panic!("OP_QUERY expected")
        };
        assert_eq!(oq.full_collection_name, "admin.$cmd");
        assert_eq!(oq.query, q);
    }

    /// A value of the generated wire documents: scalars (NaN, strings with NUL bytes), arrays, documents.
    fn wire_value() -> impl proptest::strategy::Strategy<Value = bson::Bson> {
        use bson::Bson;
        use proptest::prelude::*;
        let scalar = prop_oneof![
            any::<f64>().prop_map(Bson::Double),
            Just(Bson::Double(f64::NAN)),
            any::<i32>().prop_map(Bson::Int32),
            any::<i64>().prop_map(Bson::Int64),
            "[a\u{0}é]{0,3}".prop_map(Bson::String),
            any::<bool>().prop_map(Bson::Boolean),
            Just(Bson::Null),
            any::<[u8; 12]>().prop_map(|b| Bson::ObjectId(bson::oid::ObjectId::from_bytes(b))),
        ];
        scalar.prop_recursive(2, 8, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Bson::Array),
                proptest::collection::vec(("[ab]", inner), 0..3)
                    .prop_map(|kv| Bson::Document(kv.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// A document read into a room (any size) is the document `from_reader` reads: same fields,
        /// order, values and types (compared by their encoding, so NaN too); bytes it cannot read (a
        /// corrupted byte) are bytes `from_reader` refuses.
        #[test]
        fn a_document_read_into_a_room_is_the_document_read(
            fields in proptest::collection::vec(("[_a-c]{1,2}", wire_value()), 0..6),
            fields_room in 0usize..8,
            flip in proptest::option::of((0usize..200, 1u8..=255)),
        ) {
            let d: Document = fields.into_iter().collect();
            let mut bytes = d.to_vec().expect("encodable");
            // The length prefix is not flipped: `read_doc` cuts the document's bytes by it.
            if let Some((at, x)) = flip {
                let at = 4 + at % (bytes.len() - 4);
                bytes[at] ^= x;
            }
            let general = Document::from_reader(&bytes[..]).ok();
            match decode_into(&bytes, &room(fields_room)) {
                Some(fast) => {
                    let general = general.expect("from_reader reads what the room reads");
                    proptest::prop_assert_eq!(fast.to_vec().ok(), general.to_vec().ok());
                    proptest::prop_assert!(fast.keys().eq(general.keys()));
                }
                None => proptest::prop_assert!(general.is_none(), "{:?}", general),
            }
        }
    }
}
