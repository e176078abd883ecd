//! The client end of the socket: connect, say hello, learn who the service says we are, then
//! one request at a time. Calls from several threads of one interface take turns.

use std::io::{BufReader, BufWriter};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::Mutex;

use super::protocol::{
    MAX_RESPONSE, Request, Response, Welcome, WireError, read_frame, write_frame, write_hello,
};

pub struct Client {
    io: Mutex<(BufReader<UnixStream>, BufWriter<UnixStream>)>,
    welcome: Welcome,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("无法连接 cadre 服务 {path}：{source}")]
    Connect {
        path: String,
        source: std::io::Error,
    },
    #[error("cadre 服务拒绝了连接：{0}")]
    Refused(String),
    #[error("与 cadre 服务握手失败：{0}")]
    Wire(#[from] WireError),
}

impl Client {
    pub fn connect(path: &Path) -> Result<Client, ConnectError> {
        let stream = UnixStream::connect(path).map_err(|source| ConnectError::Connect {
            path: path.display().to_string(),
            source,
        })?;
        let read_half = stream.try_clone().map_err(WireError::Io)?;
        let mut reader = BufReader::new(read_half);
        let mut writer = BufWriter::new(stream);
        write_hello(&mut writer)?;
        let welcome: Result<Welcome, String> = read_frame(&mut reader, 1 << 20)?
            .ok_or_else(|| ConnectError::Refused("服务在握手时关闭了连接".into()))?;
        let welcome = welcome.map_err(ConnectError::Refused)?;
        Ok(Client {
            io: Mutex::new((reader, writer)),
            welcome,
        })
    }

    pub fn welcome(&self) -> &Welcome {
        &self.welcome
    }

    /// Sends one request and waits for its answer.
    pub fn call(&self, req: &Request) -> Result<Response, WireError> {
        let mut io = self.io.lock().unwrap_or_else(|e| e.into_inner());
        let (reader, writer) = &mut *io;
        write_frame(writer, req)?;
        read_frame(reader, MAX_RESPONSE)?.ok_or_else(|| {
            WireError::Io(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "服务关闭了连接",
            ))
        })
    }
}
