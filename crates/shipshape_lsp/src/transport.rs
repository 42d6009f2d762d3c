//! Messages over stdin/stdout, sturdier than lsp-server's stdio transport: a malformed
//! message (bad JSON, a broken header) is answered with a JSON-RPC parse error and the
//! server reads on, instead of ending the connection.

use std::io::{self, BufRead, BufReader, Write};
use std::thread;

use crossbeam_channel::{Receiver, Sender, select, unbounded};
use lsp_server::{Connection, Message};

/// The JSON-RPC error for a message that is not valid JSON (id null, code -32700).
fn parse_error(reason: &str) -> String {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": -32700, "message": format!("parse error: {reason}") },
    })
    .to_string()
}

/// The largest message body read (a whole workspace's worth of open files is far less):
/// a larger Content-Length is answered with a parse error and its body is not read, so
/// `Content-Length: 18446744073709551615` neither allocates nor ends the server.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// One framed message's body, or why it could not be read; None at the end of input.
fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Result<String, String>>> {
    let mut length: Option<usize> = None;
    let mut header_error = None;
    loop {
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if length.is_some() || header_error.is_some() {
                break;
            }
            // Blank lines between messages.
            continue;
        }
        match line.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    // Its body is not read (length stays None): the next header line
                    // that starts a frame puts the stream back in step.
                    Ok(n) if n > MAX_MESSAGE_BYTES => {
                        header_error = Some(format!(
                            "Content-Length {n} is over the {MAX_MESSAGE_BYTES}-byte limit"
                        ))
                    }
                    Ok(n) => length = Some(n),
                    Err(_) => header_error = Some(format!("bad Content-Length {:?}", value.trim())),
                }
            }
            Some(_) => {}
            None => header_error = Some(format!("malformed header {line:?}")),
        }
    }
    let Some(length) = length else {
        return Ok(Some(Err(
            header_error.unwrap_or_else(|| "no Content-Length".into())
        )));
    };
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    if let Some(e) = header_error {
        return Ok(Some(Err(e)));
    }
    Ok(Some(
        String::from_utf8(body).map_err(|_| "the body is not UTF-8".to_string()),
    ))
}

fn write_frame(out: &mut impl Write, body: &str) -> io::Result<()> {
    write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    out.flush()
}

/// A connection over stdin/stdout. The reader thread ends at the end of input (or after
/// `exit`); the writer thread when every sender is gone. The caller does not need to join
/// the reader (it may be blocked reading when the server exits).
pub fn stdio() -> (Connection, thread::JoinHandle<()>) {
    let (to_server, from_client) = unbounded::<Message>();
    let (to_client, outgoing) = unbounded::<Message>();
    let (raw_out, raw_in) = unbounded::<String>();
    thread::Builder::new()
        .name("shipshape-lsp-reader".into())
        .spawn(move || read_loop(to_server, raw_out))
        .expect("spawn the reader");
    let writer = thread::Builder::new()
        .name("shipshape-lsp-writer".into())
        .spawn(move || write_loop(outgoing, raw_in))
        .expect("spawn the writer");
    (
        Connection {
            sender: to_client,
            receiver: from_client,
        },
        writer,
    )
}

fn read_loop(to_server: Sender<Message>, raw: Sender<String>) {
    let stdin = io::stdin();
    let mut input = BufReader::new(stdin.lock());
    loop {
        match read_frame(&mut input) {
            Ok(None) | Err(_) => return,
            Ok(Some(Err(reason))) => {
                let _ = raw.send(parse_error(&reason));
            }
            Ok(Some(Ok(body))) => match serde_json::from_str::<Message>(&body) {
                Ok(message) => {
                    let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                    if to_server.send(message).is_err() || exit {
                        return;
                    }
                }
                Err(e) => {
                    let _ = raw.send(parse_error(&e.to_string()));
                }
            },
        }
    }
}

fn write_loop(messages: Receiver<Message>, raw: Receiver<String>) {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut raw_open = true;
    loop {
        let body = if raw_open {
            select! {
                recv(messages) -> m => match m {
                    Ok(m) => message_body(&m),
                    Err(_) => return,
                },
                recv(raw) -> r => match r {
                    Ok(r) => r,
                    Err(_) => { raw_open = false; continue; }
                },
            }
        } else {
            match messages.recv() {
                Ok(m) => message_body(&m),
                Err(_) => return,
            }
        };
        if write_frame(&mut out, &body).is_err() {
            return;
        }
    }
}

fn message_body(message: &Message) -> String {
    let mut value = serde_json::to_value(message).expect("messages serialize");
    if let Some(object) = value.as_object_mut() {
        object.insert("jsonrpc".into(), "2.0".into());
    }
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_and_malformed_input() {
        let input = b"Content-Length: 2\r\n\r\n{}\r\nX-Bad\r\n\r\nContent-Length: 3\r\n\r\nabc";
        let mut reader = &input[..];
        assert_eq!(read_frame(&mut reader).unwrap(), Some(Ok("{}".into())));
        assert!(matches!(read_frame(&mut reader).unwrap(), Some(Err(_))));
        assert_eq!(read_frame(&mut reader).unwrap(), Some(Ok("abc".into())));
        assert_eq!(read_frame(&mut reader).unwrap(), None);
    }

    #[test]
    fn an_oversized_length_is_refused_without_reading_it() {
        let input = b"Content-Length: 18446744073709551615\r\n\r\nContent-Length: 2\r\n\r\n{}";
        let mut reader = &input[..];
        let Some(Err(reason)) = read_frame(&mut reader).unwrap() else {
            panic!("an oversized frame is an error");
        };
        assert!(reason.contains("limit"), "{reason}");
        assert_eq!(read_frame(&mut reader).unwrap(), Some(Ok("{}".into())));
        let huge = format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE_BYTES + 1);
        assert!(matches!(
            read_frame(&mut huge.as_bytes()).unwrap(),
            Some(Err(_))
        ));
    }
}
