//! Why a message failed: the reasons the rules name and the classifier returns (below both).

/// Why a message failed, as far as the report tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    UserUnknown,
    HostUnknown,
    HasMoved,
    NotAccept,
    MailboxFull,
    Spam,
    Blocked,
    Policy,
    TooBig,
    Suspended,
    Expired,
    Temporary,
    Filtered,
    Other,
}
