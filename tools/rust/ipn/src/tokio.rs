//! [`AsyncSocket`]: an IPN socket for tokio (feature `tokio`).

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

use crate::{Received, Socket};

/// A [`Socket`] whose sends and receives are futures, for a tokio runtime
/// with I/O enabled.
///
/// ```no_run
/// # async fn f() -> std::io::Result<()> {
/// use ipn::{AsyncSocket, Socket};
///
/// let node = AsyncSocket::new(Socket::join("/tmp/net")?)?;
/// node.send(b"hello").await?;
/// let mut buf = [0u8; 1514];
/// let n = node.recv(&mut buf).await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct AsyncSocket {
    inner: AsyncFd<Socket>,
}

impl AsyncSocket {
    /// Makes `socket` non-blocking and registers it with the current
    /// runtime's reactor.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime with I/O enabled, as tokio's own sockets do.
    ///
    /// ```no_run
    /// # async fn f() -> std::io::Result<()> {
    /// let node = ipn::AsyncSocket::new(ipn::Socket::join("/tmp/net")?)?;
    /// # Ok(()) }
    /// ```
    pub fn new(socket: Socket) -> io::Result<AsyncSocket> {
        socket.set_nonblocking(true)?;
        // SAFETY: `Socket` owns its descriptor and always returns the same
        // one from `as_raw_fd()`; the `AsyncFd` owns the `Socket`.
        let inner = unsafe {
            AsyncFd::register_with_interest(socket, Interest::READABLE | Interest::WRITABLE)
        }
        .map_err(io::Error::from)?;
        Ok(AsyncSocket { inner })
    }

    /// Sends one message, waiting while a lossless network has no room.
    ///
    /// ```no_run
    /// # async fn f(node: ipn::AsyncSocket) -> std::io::Result<()> {
    /// node.send(b"hello").await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(&self, msg: &[u8]) -> io::Result<usize> {
        self.inner
            .async_io(Interest::WRITABLE, |s| s.send(msg))
            .await
    }

    /// Receives one message; see [`Socket::recv`].
    ///
    /// ```no_run
    /// # async fn f(node: ipn::AsyncSocket) -> std::io::Result<()> {
    /// let mut buf = [0u8; 1514];
    /// let n = node.recv(&mut buf).await?;
    /// # Ok(()) }
    /// ```
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.recv_msg(buf).await.map(|r| r.len)
    }

    /// Receives one message, telling whether it was truncated; see
    /// [`Socket::recv_msg`].
    ///
    /// ```no_run
    /// # async fn f(node: ipn::AsyncSocket) -> std::io::Result<()> {
    /// let mut buf = [0u8; 64];
    /// let r = node.recv_msg(&mut buf).await?;
    /// # Ok(()) }
    /// ```
    pub async fn recv_msg(&self, buf: &mut [u8]) -> io::Result<Received> {
        self.inner
            .async_io(Interest::READABLE, |s| s.recv_msg(buf))
            .await
    }

    /// The socket, for its options.
    ///
    /// ```no_run
    /// # fn f(node: ipn::AsyncSocket) -> std::io::Result<()> {
    /// println!("port {:?}", node.get_ref().port()?);
    /// # Ok(()) }
    /// ```
    pub fn get_ref(&self) -> &Socket {
        self.inner.get_ref()
    }

    /// Deregisters the socket and returns it, still non-blocking.
    ///
    /// ```no_run
    /// # fn f(node: ipn::AsyncSocket) {
    /// let socket = node.into_inner();
    /// # }
    /// ```
    pub fn into_inner(self) -> Socket {
        self.inner.into_inner()
    }
}

impl AsFd for AsyncSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.get_ref().as_fd()
    }
}

impl AsRawFd for AsyncSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}
